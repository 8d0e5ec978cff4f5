// Test files for `rtcr test`: a scenario with an `expect` section, or an ELF spec (a JSON file
// with an `elf` field, by convention NAME.test.json beside NAME.elf). Both are validated here; an
// error names the file and the field.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseScenario, schemaError, StateHash, type Scenario } from '../kernel/scenario';

/** The expectations of an ELF spec: each field given is compared with the run's result. */
export const ElfExpect = z.strictObject({
  status: z.number().int().min(0).max(255).optional(),
  /** Everything the UART (or HTIF console) transmitted, as text (bytes 0-255). */
  uart: z.string().optional(),
  stateHash: StateHash.optional(),
  /** Instructions executed (retired or trapping). */
  instructions: z.number().int().min(0).optional(),
  /** A file (relative to the spec) with the expected --trace lines, one per instruction. */
  trace: z.string().min(1).optional(),
});

/** Default instruction budget of an ELF spec: a test must end. */
export const ELF_DEFAULT_MAX_INSNS = 100_000_000;

export const ElfSpecSchema = z.strictObject({
  /** The executable, relative to the spec file. */
  elf: z.string().min(1),
  ramMiB: z.number().int().min(1).max(2047).default(128),
  /** Bytes the UART receives from the start (as text). */
  input: z.string().optional(),
  maxInsns: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(ELF_DEFAULT_MAX_INSNS),
  expect: ElfExpect,
}).superRefine((s, ctx) => {
  // Every trace line is kept in memory: a trace expectation is for a short run.
  if (s.expect.trace !== undefined && s.maxInsns > ELF_MAX_TRACE) {
    ctx.addIssue({ code: 'custom', path: ['maxInsns'], message: `with expect.trace, give maxInsns of at most ${ELF_MAX_TRACE}` });
  }
});

/** The most instructions an ELF spec with a trace expectation may run. */
export const ELF_MAX_TRACE = 1_000_000;

export type ElfSpec = z.output<typeof ElfSpecSchema>;
export type ElfExpectation = z.output<typeof ElfExpect>;

export type TestSpec =
  | { kind: 'scenario'; file: string; text: string; scenario: Scenario; readFile: (p: string) => Uint8Array | undefined }
  | { kind: 'elf'; file: string; text: string; spec: ElfSpec; readFile: (p: string) => Uint8Array | undefined };

export type SpecLoad = { ok: true; spec: TestSpec } | { ok: false; error: string };

/** True if `raw` (parsed JSON) is a test file: an object with an `expect` member. */
export function hasExpect(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'expect' in raw;
}

/**
 * Reads and validates a test file. `{"elf": ...}` is an ELF spec, anything else a scenario; a
 * file without an `expect` section is an error (`rtcr test` skips such files in directories).
 */
export function loadTestSpec(file: string): SpecLoad {
  let text: string;
  let raw: unknown;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, error: `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}` };
  }
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: not JSON: ${(e as Error).message}` };
  }
  if (!hasExpect(raw)) return { ok: false, error: `${file}: expect: no expect section (rtcr test needs one; see docs/testing.md)` };
  const dir = dirname(resolve(file));
  const readFile = (p: string) => { try { return readFileSync(resolve(dir, p)); } catch { return undefined; } };
  if ('elf' in (raw as object)) {
    const r = ElfSpecSchema.safeParse(raw);
    if (!r.success) return { ok: false, error: `${file}: ${schemaError(r.error)}` };
    return { ok: true, spec: { kind: 'elf', file, text, spec: r.data, readFile } };
  }
  const parsed = parseScenario(text, file);
  if (!parsed.ok) return parsed;
  const names = new Set(parsed.scenario.components.map((c) => c.name));
  for (const name of Object.keys(parsed.scenario.expect?.instructions ?? {})) {
    if (!names.has(name)) return { ok: false, error: `${file}: expect.instructions.${name}: no component named "${name}"` };
  }
  return { ok: true, spec: { kind: 'scenario', file, text, scenario: parsed.scenario, readFile } };
}
