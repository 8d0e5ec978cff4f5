// Scenario files: which components init starts, with what program, quota, priority, config and
// routes; the virtual clock; UART input. Validated with a schema on load: a wrong field is one
// error naming its path.

import { z } from 'zod';
import { COMPONENT_NAME } from './sanitize';

/** A virtual duration: a number with a unit (ns, us, ms, s). */
export const TIME_PATTERN = /^(\d+(?:\.\d+)?)\s*(ns|us|ms|s)$/;

/** Nanoseconds of a duration string, or undefined if malformed. */
export function parseTimeNs(s: string): number | undefined {
  const m = TIME_PATTERN.exec(s.trim());
  if (m === null) return undefined;
  const scale = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[m[2] as 'ns' | 'us' | 'ms' | 's'];
  const ns = Number(m[1]) * scale;
  return Number.isFinite(ns) ? Math.round(ns) : undefined;
}

/**
 * The shortest interval between two checkpoints (`rtcr.every`, `rtcr checkpoint --every`): 1000
 * instructions of virtual time. A checkpoint walks every object and copies memory; closer
 * together than this the guest hardly runs between them, and at 1 ns a run took a checkpoint
 * per cycle (it seemed to hang).
 */
export const MIN_EVERY_INSNS = 1000;

/** MIN_EVERY_INSNS as nanoseconds at a clock of `insnsPerSecond`. */
export function minEveryNs(insnsPerSecond: number): number {
  return (MIN_EVERY_INSNS / insnsPerSecond) * 1e9;
}

/** A duration in the largest unit that shows it whole (`10us`), as scenario files write it. */
export function formatDuration(ns: number): string {
  for (const [unit, scale] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) {
    if (ns >= scale && Number.isInteger(ns / scale)) return `${ns / scale}${unit}`;
  }
  return `${Math.ceil(ns)}ns`;
}

/** Bytes of a size: a number, or a string with an optional K/M/G suffix. */
export function parseSize(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : undefined;
  const m = /^(\d+)\s*([KMG]?)i?B?$/i.exec(v.trim());
  if (m === null) return undefined;
  const n = Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return n > 0 ? n : undefined;
}

const Size = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseSize(v);
  if (n === undefined) ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (bytes, or e.g. "64K", "1M")` });
  return n ?? 0;
});

const Time = z.string().refine((s) => parseTimeNs(s) !== undefined, { message: 'not a time: use a number and a unit, e.g. "10ms"' });

const SERVICES = ['LOG', 'Timer', 'RM', 'IRQ', 'IO_MEM', 'SHM'] as const;

/**
 * The fastest clock a scenario (or a checkpoint image) may ask for: 10 GHz of guest
 * instructions. Beyond it virtual-time arithmetic (cycles per microsecond times a 32-bit timer
 * argument) leaves the integers a double holds exactly.
 */
export const MAX_INSNS_PER_SECOND = 10_000_000_000;

const Component = z.strictObject({
  name: z.string().regex(COMPONENT_NAME, 'letters, digits, _ . - (at most 48, not only dots)'),
  program: z.string().min(1),
  ram: Size.default(1024 * 1024),
  priority: z.number().int().min(0).max(255).default(100),
  config: z.string().max(1024).default(''),
  routes: z.partialRecord(z.enum(SERVICES), z.literal('core')).optional(),
});

export const ScenarioSchema = z.strictObject({
  clock: z.strictObject({
    insnsPerSecond: z.number().int().positive().max(MAX_INSNS_PER_SECOND).default(100_000_000),
    mtimeHz: z.number().int().positive().max(MAX_INSNS_PER_SECOND).default(10_000_000),
  }).default({ insnsPerSecond: 100_000_000, mtimeHz: 10_000_000 }),
  ramMiB: z.number().int().min(1).max(2047).default(64),
  uart: z.strictObject({
    /** Bytes the UART receives (as text), or `inputFile`: a file's bytes (relative to the scenario). */
    input: z.string().optional(),
    inputFile: z.string().min(1).optional(),
    inputAt: Time.default('0s'),
  }).refine((u) => u.input === undefined || u.inputFile === undefined, { message: 'give input or inputFile, not both' }).optional(),
  components: z.array(Component).min(1),
  /**
   * Run the components under Rtcr (`rtcr run`): dirty tracking with designated dataspaces of
   * `granularity` x 4 KiB (0: none) in `mode`, and a checkpoint every `every` of virtual time.
   */
  rtcr: z.strictObject({
    granularity: z.number().int().min(0).max(65536).default(0),
    mode: z.enum(['access', 'write']).default('access'),
    every: Time.refine((t) => (parseTimeNs(t) ?? 0) > 0, { message: 'must be a positive time' }).optional(),
  }).optional(),
  /** What `rtcr test` expects of a run of this scenario (docs/testing.md). */
  expect: z.lazy(() => ScenarioExpect).optional(),
}).superRefine((s, ctx) => {
  const seen = new Set<string>();
  s.components.forEach((c, i) => {
    if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['components', i, 'name'], message: `duplicate component name "${c.name}"` });
    seen.add(c.name);
  });
  if (s.clock.insnsPerSecond % s.clock.mtimeHz !== 0) {
    ctx.addIssue({ code: 'custom', path: ['clock', 'insnsPerSecond'], message: 'must be a multiple of clock.mtimeHz' });
  }
  const every = s.rtcr?.every === undefined ? undefined : parseTimeNs(s.rtcr.every);
  const min = minEveryNs(s.clock.insnsPerSecond);
  if (every !== undefined && every > 0 && every < min) {
    ctx.addIssue({ code: 'custom', path: ['rtcr', 'every'],
      message: `at least ${formatDuration(min)} (${MIN_EVERY_INSNS} instructions at this clock), not ${s.rtcr!.every}` });
  }
});

/** A state hash as kernelStateHash() and Machine.stateHash() print it. */
export const StateHash = z.string().regex(/^[0-9a-f]{16}$/, 'a state hash is 16 lowercase hex digits');

/** An expected log line: `[label] text`, optionally at a virtual time (`"1.5s"`) or cycle count. */
export const ExpectLogLine = z.strictObject({
  at: z.union([Time, z.number().int().min(0)]).optional(),
  line: z.string(),
});

/**
 * A scenario's expectations: the run goes to `until` (or until every component ended or waits
 * forever); each field given is compared with what the run produced.
 */
export const ScenarioExpect = z.strictObject({
  until: Time.refine((t) => (parseTimeNs(t) ?? 0) > 0, { message: 'must be a positive time' }).optional(),
  status: z.number().int().min(0).max(255).optional(),
  log: z.array(ExpectLogLine).optional(),
  stateHash: StateHash.optional(),
  instructions: z.record(z.string(), z.number().int().min(0)).optional(),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type ComponentSpec = Scenario['components'][number];

/**
 * Parses and validates a scenario's JSON text. Errors name the file and the field path, e.g.
 * `demo.json: components[0].ram: not a size: "lots"`.
 */
export function parseScenario(text: string, file: string): { ok: true; scenario: Scenario } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: not JSON: ${(e as Error).message}` };
  }
  const r = ScenarioSchema.safeParse(raw);
  if (r.success) return { ok: true, scenario: r.data };
  return { ok: false, error: `${file}: ${schemaError(r.error)}` };
}

/** A schema error as one line: the first issue's field path, then its message (`a.b[2]: ...`). */
export function schemaError(e: z.ZodError): string {
  const issue = e.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path === '' ? '' : `${path}: `}${issue.message}`;
}
