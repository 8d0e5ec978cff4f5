// Instruction traces for `rtcr test`: the line format of an executed instruction, and the
// comparison of an expected trace with the actual one.
//
// TODO(merge): the line format must be the one `rtcr run --trace` prints. Until src/cli/trace.ts
// lands this is a local copy of run.ts's Tracer format; switch `traceLine` to trace.ts's
// formatter then (the comparison below does not depend on the format).
import { disassemble } from '../asm/disasm';
import { ABI_NAMES } from '../asm/registers';
import { CAUSE_NAMES } from '../cpu/trap';
import type { Machine, TraceEntry } from '../dev/machine';

/** Formats one executed instruction of `m` as a trace line. */
export type TraceLineFormatter = (m: Machine, e: TraceEntry) => string;

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** `pc word mnemonic [rd=value | trap: cause]`, as `rtcr run --trace` prints for an ELF. */
export const traceLine: TraceLineFormatter = (m, e) => {
  let effect = '';
  if (e.trapped) {
    const cause = m.hart.priv === 3 ? m.hart.mcause : m.hart.scause;
    effect = `trap: ${CAUSE_NAMES[cause & 0x7fffffff] ?? `cause ${cause}`}`;
  } else if (e.rd >= 0) {
    effect = `${ABI_NAMES[e.rd]}=0x${hex(e.value)}`;
  }
  return `${hex(e.pc)} ${hex(e.word)} ${disassemble(e.word, e.pc).padEnd(32)} ${effect}`.trimEnd();
};

/** Lines of a trace file (a final newline ends the last line; it adds no empty line). */
export function traceFileLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A trace file's text for `lines`. */
export function traceFileText(lines: readonly string[]): string {
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** Lines of context shown before the first differing instruction. */
const TRACE_CONTEXT = 3;

/**
 * The first difference of two traces, or undefined if they are equal: which instruction
 * (1-based), and a few lines of context (`  n  line` common, `- n  line` expected, `+ n  line`
 * actual).
 */
export function traceDiff(expected: readonly string[], actual: readonly string[]): { index: number; lines: string[] } | undefined {
  const n = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < n && expected[i] === actual[i]) i++;
  if (i === n && expected.length === actual.length) return undefined;
  const lines: string[] = [];
  const num = (k: number) => String(k + 1).padStart(8);
  for (let k = Math.max(0, i - TRACE_CONTEXT); k < i; k++) lines.push(`  ${num(k)}  ${actual[k]}`);
  lines.push(i < expected.length ? `- ${num(i)}  ${expected[i]}` : `- ${num(i)}  (the expected trace ends here)`);
  lines.push(i < actual.length ? `+ ${num(i)}  ${actual[i]}` : `+ ${num(i)}  (the run ended here)`);
  return { index: i + 1, lines };
}
