// --trace: one line per executed instruction, for ELF runs, scenarios and restores. The line
// format is defined once here (formatTraceLine), so other commands can produce or compare traces.
import { closeSync, openSync } from 'node:fs';
import { disassemble } from '../asm/disasm';
import { ABI_NAMES } from '../asm/registers';
import { CAUSE_NAMES } from '../cpu/trap';
import type { MemAccess, TraceEntry } from '../dev/machine';
import type { Kernel } from '../kernel/kernel';
import { threadLabel } from '../kernel/init';
import type { Thread } from '../kernel/thread';
import { fileErrorText, writeAllSync } from './output';

const hex = (v: number, digits = 8) => (v >>> 0).toString(16).padStart(digits, '0');
const PRIV = ['U', 'S', '?', 'M'];
/** Instruction access fault, instruction page fault. */
const FETCH_FAULTS = new Set([1, 12]);

/** `load [0x...]=0x...`, `store [0x...]=0x..` (a store's value in its size), or both for an AMO. */
function formatMem(m: MemAccess): string {
  const at = `[0x${hex(m.addr)}]`;
  const load = `load ${at}${m.loaded === undefined ? '' : `=0x${hex(m.loaded)}`}`;
  const store = m.stored === undefined ? `store ${at} (not stored)` : `store ${at}=0x${hex(m.stored, m.size * 2)}`;
  return m.kind === 'load' ? load : m.kind === 'store' ? store : `${load} ${store}`;
}

/**
 * One trace line: `[who] pc word priv mnemonic effects`, where `who` (scenarios) is
 * `component/thread`, priv is U, S or M, and effects are the register written (`a0=0x...`), the
 * memory access (`load [addr]=value`, `store [addr]=value`) or the trap (`trap: cause tval=0x...`).
 */
export function formatTraceLine(e: TraceEntry, who?: string): string {
  const effects: string[] = [];
  if (e.trapped) {
    effects.push(`trap: ${CAUSE_NAMES[e.cause & 0x7fffffff] ?? `cause ${e.cause}`} tval=0x${hex(e.tval)}`);
  } else {
    if (e.rd >= 0) effects.push(`${ABI_NAMES[e.rd]}=0x${hex(e.value)}`);
    if (e.mem !== undefined) effects.push(formatMem(e.mem));
  }
  const head = who === undefined ? '' : `[${who}] `;
  // A fetch that faulted on pc itself read no instruction: do not disassemble a made-up word.
  const fetchFailed = e.trapped && FETCH_FAULTS.has(e.cause) && e.tval === e.pc;
  const text = fetchFailed ? '(no instruction fetched)' : disassemble(e.word, e.pc);
  return `${head}${hex(e.pc)} ${hex(e.word)} ${PRIV[e.priv] ?? '?'} ${text.padEnd(32)} ${effects.join(' ')}`.trimEnd();
}

/** Which instructions to trace and where the lines go. */
export interface TraceOptions {
  /** A file for the lines (default stderr). */
  file?: string;
  /** Scenario components to trace (default: all). */
  components?: readonly string[];
}

/** The trace flags `rtcr run` and `rtcr restore` share. */
export interface TraceFlags {
  /** --trace: true; --trace=NAME: a component name. */
  trace?: boolean | string;
  traceComponent?: string[];
  traceFile?: string;
}

/**
 * The trace options the flags ask for (undefined: no tracing), checked against the components
 * that exist (`known`): an unknown name is an error naming `what` (the scenario or image).
 */
export function traceOptions(flags: TraceFlags, known: readonly string[], what: string):
  { ok: true; value: TraceOptions | undefined } | { ok: false; error: string } {
  const names = [...(typeof flags.trace === 'string' ? [flags.trace] : []), ...(flags.traceComponent ?? [])];
  if (flags.trace === undefined && flags.traceFile === undefined && names.length === 0) return { ok: true, value: undefined };
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined) return { ok: false, error: `--trace: ${what} has no component "${unknown}" (it has ${known.join(', ')})` };
  return { ok: true, value: { file: flags.traceFile, components: names.length === 0 ? undefined : names } };
}

/** Collects trace lines and writes them in batches to stderr or a file. */
export class Tracer {
  private lines: string[] = [];
  private constructor(private readonly fd: number, private readonly owned: boolean) {}

  /** Opens the trace file (if any): a one-line error for a path that cannot be written. */
  static open(file: string | undefined): { ok: true; tracer: Tracer } | { ok: false; error: string } {
    if (file === undefined) return { ok: true, tracer: new Tracer(2, false) };
    try {
      return { ok: true, tracer: new Tracer(openSync(file, 'w'), true) };
    } catch (e) {
      return { ok: false, error: `--trace-file ${file}: ${fileErrorText(e)}` };
    }
  }

  /** Records a bare-metal instruction (ELF runs). */
  readonly entry = (e: TraceEntry): void => this.push(formatTraceLine(e));

  /** Makes `kernel` trace the threads of `components` (all when undefined) through this tracer. */
  attach(kernel: Kernel, components: readonly string[] | undefined): void {
    const sinks = new Map<Thread, (e: TraceEntry) => void>();
    kernel.traceThread = (t) => {
      let sink = sinks.get(t);
      if (sink === undefined) {
        const name = t.task.label.replace(/^init -> /, '');
        const who = `${name}/${threadLabel(t)}`;
        sink = components === undefined || components.includes(name) ? (e) => this.push(formatTraceLine(e, who)) : NO_TRACE;
        sinks.set(t, sink);
      }
      return sink === NO_TRACE ? undefined : sink;
    };
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= 1024) this.flush();
  }

  /** Writes the lines collected so far. */
  flush(): void {
    if (this.lines.length === 0) return;
    writeAllSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
  }

  close(): void {
    this.flush();
    if (this.owned) closeSync(this.fd);
  }
}

const NO_TRACE = (): void => {};
