// Helpers for crafted-image tests: real checkpoints of the programs under programs/, decoded so
// a test can modify the plain object, re-encoded with encodeImage (checksums recomputed) and
// restored; and the assertion that a restore refused cleanly and created nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Init, type Interposition } from '../../src/kernel/init';
import { parseScenario } from '../../src/kernel/scenario';
import { decodeImage, encodeImage } from '../../src/rtcr/image';
import type { Checkpoint, ObjectRecord } from '../../src/rtcr/model';
import { restore, type RestoreResult } from '../../src/rtcr/restore';
import { Rtcr } from '../../src/rtcr/rtcr';

export const PROGRAMS = 'programs';
export const readFile = (p: string): Uint8Array | undefined => {
  try { return readFileSync(join(PROGRAMS, p)); } catch { return undefined; }
};

export function scenario(file: string) {
  const s = parseScenario(readFileSync(join(PROGRAMS, file), 'utf8'), file);
  if (!s.ok) throw new Error(s.error);
  return s.scenario;
}

const images = new Map<string, Uint8Array>();

/** The image bytes of a full checkpoint of `file` at `atNs` (taken once per file, time, granularity). */
export function imageOf(file: string, atNs: number, granularity = 0): Uint8Array {
  const key = `${file}@${atNs}/${granularity}`;
  let bytes = images.get(key);
  if (bytes === undefined) {
    const b = Rtcr.boot({ scenario: scenario(file), readFile }, { granularity, mode: 'access' });
    if (!b.ok) throw new Error(b.message);
    b.rtcr.init.runUntilNs(atNs);
    bytes = b.rtcr.checkpoint().bytes;
    images.set(key, bytes);
  }
  return bytes;
}

/** A fresh decoded copy of a real checkpoint (safe to modify). */
export function real(file: string, atNs: number, granularity = 0): Checkpoint {
  const d = decodeImage(imageOf(file, atNs, granularity));
  if (!d.ok) throw new Error(d.error);
  return d.image.checkpoint;
}

/** Re-encodes a modified checkpoint and decodes it: the image decode (schema) gives. */
export function reencode(cp: Checkpoint): ReturnType<typeof decodeImage> {
  return decodeImage(encodeImage({ kind: 'full', sequence: 0 }, cp));
}

/** A modified checkpoint made a well-formed image and decoded again (it must pass the schema). */
export function craft(cp: Checkpoint): Checkpoint {
  const d = reencode(cp);
  if (!d.ok) throw new Error(`the crafted checkpoint does not even pass the schema: ${d.error}`);
  return d.image.checkpoint;
}

/** An interposition that only remembers the Init restore() made. */
function spy(): { ip: Interposition; init: () => Init | undefined } {
  let seen: Init | undefined;
  return { ip: { attach: (init) => { seen = init; }, wrap: (_t, _s, obj) => obj }, init: () => seen };
}

/** restore() of `cp` as given (no decode): the result, and whether it left anything built. */
export function restoreRaw(cp: Checkpoint): { r: RestoreResult; built: boolean } {
  const s = spy();
  const r = restore(cp, { interpose: s.ip });
  const init = s.init();
  return { r, built: (init?.kernel.tasks.length ?? 0) > 0 || (init?.components.size ?? 0) > 0 };
}

/** restore() refuses `cp` (re-encoded) with one line matching `error`, throws nothing, creates nothing. */
export function expectRefused(cp: Checkpoint, error: RegExp, opts: { encode?: boolean } = {}): string {
  let out: ReturnType<typeof restoreRaw> | undefined;
  const input = opts.encode === false ? cp : craft(cp);
  expect(() => { out = restoreRaw(input); }).not.toThrow();
  expect(out?.r.ok).toBe(false);
  const message = out !== undefined && !out.r.ok ? out.r.error : '';
  expect(message).toMatch(error);
  expect(message).not.toContain('\n');
  expect(out?.built).toBe(false);
  return message;
}

export const find = <K extends ObjectRecord['kind']>(cp: Checkpoint, kind: K, pred: (o: Extract<ObjectRecord, { kind: K }>) => boolean = () => true) => {
  const o = cp.objects.find((x): x is Extract<ObjectRecord, { kind: K }> => x.kind === kind && pred(x as Extract<ObjectRecord, { kind: K }>));
  if (o === undefined) throw new Error(`no ${kind} in the checkpoint`);
  return o;
};

export const addressSpace = (cp: Checkpoint, ci = 0) => {
  const as = cp.objects[cp.components[ci].addressSpace];
  if (as.kind !== 'regionmap') throw new Error('address space is no region map');
  return as;
};

/** Appends an object record with the next id. */
export function addObject(cp: Checkpoint, o: ObjectRecord extends infer T ? T extends unknown ? Omit<T, 'id'> : never : never): number {
  const id = cp.objects.length;
  cp.objects.push({ ...o, id } as ObjectRecord);
  return id;
}

/** The first free capability slot of component `ci`. */
export function freeSlot(cp: Checkpoint, ci: number): number {
  const used = new Set(cp.components[ci].caps.map((c) => c.slot));
  let s = 1;
  while (used.has(s)) s++;
  return s;
}
