// init: builds the board and the kernel for a scenario, starts its components, routes their
// session requests to core's services as the scenario says, and prints their log lines as
// `[init -> name] text`. File access goes through a readFile callback (the CLI reads files), so
// this stays platform-neutral.

import { assemble } from '../asm/index';
import { ABI_NAMES } from '../asm/registers';
import { CAUSE_NAMES } from '../cpu/trap';
import { formatError } from '../asm/errors';
import { Machine } from '../dev/machine';
import { parseElf, type ElfImage } from '../elf/reader';
import { Dataspace } from './dataspace';
import { err, type Result } from './errors';
import type { ManagedDataspace } from './regionmap';
import { Kernel, STACK_SIZE, STACK_TOP, type KernelStop } from './kernel';
import { RIGHTS_ALL, unwrap, type KObject } from './object';
import { ParentCap, type Router } from './services/parent';
import { CORE_SERVICES, IrqSession, parseSessionArgs, TimerSession } from './services/sessions';
import { parseTimeNs, type ComponentSpec, type Scenario } from './scenario';
import { SLOT_CPU, SLOT_PARENT, SLOT_PD, SLOT_RAM, SLOT_RM, type Task, type TaskEnd } from './task';
import type { Thread } from './thread';

/** Where programs are assembled (docs/abi.md). */
export const PROGRAM_BASE = 0x10000;

export interface LogLine {
  /** Virtual time in cycles when the line was written. */
  cycles: number;
  label: string;
  text: string;
}

/** A parent that stands between its children and core (Rtcr) wraps the sessions they get. */
export interface Interposition {
  /** Called once the board and kernel exist, before any child is created. */
  attach?(init: Init): void;
  /** Memory for a child's stack, if the parent provides it (default: a plain dataspace). */
  allocStack?(task: Task, size: number): Result<Dataspace | ManagedDataspace> | undefined;
  /** The object the child gets instead of `obj`, a session of `service` created for it. */
  wrap(task: Task, service: ServiceName, obj: KObject): KObject;
}

export type ServiceName = 'Parent' | 'PD' | 'CPU' | 'RAM' | 'RM' | 'LOG' | 'Timer' | 'IRQ' | 'IO_MEM' | 'SHM';

/** A running component: its task and which services it may ask for (undefined: all of core's). */
export interface Component {
  readonly name: string;
  readonly task: Task;
  readonly routes: readonly string[] | undefined;
}

/** The board and clock a scenario asks for. */
export interface Platform {
  ramMiB: number;
  clock: { insnsPerSecond: number; mtimeHz: number };
  /** Board wiring that differs from the default (a restore on another node). */
  board?: { irqsrcFirstSource?: number };
}

export interface InitOptions {
  scenario: Scenario;
  interpose?: Interposition;
  /** Reads a file named in the scenario (relative to it); undefined if it does not exist. */
  readFile: (path: string) => Uint8Array | undefined;
  /** Every log line, as it is written. */
  onLog?: (line: LogLine) => void;
}

export class Init implements Router {
  readonly machine: Machine;
  readonly kernel: Kernel;
  readonly components = new Map<string, Component>();
  readonly log: LogLine[] = [];
  /** Log lines the whole run wrote before this init's first (a restore continues a story). */
  logBase = 0;
  /** UART input scheduled by the scenario and not yet delivered. */
  uartInput: { bytes: Uint8Array; due: number } | undefined;

  private constructor(readonly scenario: Platform, private readonly onLog: ((line: LogLine) => void) | undefined,
    readonly interpose: Interposition | undefined) {
    this.machine = new Machine({
      ramSize: scenario.ramMiB * 1024 * 1024,
      insnsPerSecond: scenario.clock.insnsPerSecond,
      mtimeHz: scenario.clock.mtimeHz,
      irqsrcFirstSource: scenario.board?.irqsrcFirstSource,
    });
    this.kernel = new Kernel(this.machine, {
      log: (label, text) => this.emit(label, text),
      onTaskEnd: (task, end) => this.childEnded(task, end),
    });
    // The IRQ source device raises its lines at exact cycles: the kernel's clock must stop there.
    const irqsrc = this.machine.irqsrc;
    this.kernel.events.add({ due: () => irqsrc.nextEventCycle(), fire: () => irqsrc.update() });
    interpose?.attach?.(this);
  }

  /**
   * Builds everything a scenario names. Every program is read and built before anything starts,
   * so a bad program is one error naming the component and nothing runs.
   */
  static create(opts: InitOptions): { ok: true; init: Init } | { ok: false; message: string } {
    const inputFile = opts.scenario.uart?.inputFile;
    const fileInput = inputFile === undefined ? undefined : opts.readFile(inputFile);
    if (inputFile !== undefined && fileInput === undefined) return { ok: false, message: `uart.inputFile: ${inputFile} not found` };
    const quotas = opts.scenario.components.reduce((n, c) => n + c.ram, 0);
    const ram = opts.scenario.ramMiB * 1024 * 1024;
    if (quotas > ram) {
      return { ok: false, message: `the components' RAM quotas add up to ${quotas} bytes, more than the board's ${ram} (ramMiB ${opts.scenario.ramMiB})` };
    }
    const images: ElfImage[] = [];
    for (const [i, c] of opts.scenario.components.entries()) {
      const img = buildProgram(c, opts.readFile);
      if (!img.ok) return { ok: false, message: `components[${i}] (${c.name}): ${img.message}` };
      images.push(img.elf);
    }
    const init = new Init(opts.scenario, opts.onLog, opts.interpose);
    for (const [i, c] of opts.scenario.components.entries()) {
      const started = init.start(c, images[i]);
      if (!started.ok) return { ok: false, message: `components[${i}] (${c.name}): ${started.message}` };
    }
    const uart = opts.scenario.uart;
    const at = init.cyclesOf(parseTimeNs(uart?.inputAt ?? '0s') ?? 0);
    if (uart?.input !== undefined) init.scheduleUartBytes(Uint8Array.from(uart.input, (ch) => ch.charCodeAt(0) & 0xff), at);
    if (fileInput !== undefined) init.scheduleUartBytes(Uint8Array.from(fileInput), at);
    return { ok: true, init };
  }

  /** An init with the board and clock but no components yet, for a restore to fill. */
  static empty(platform: Platform, onLog?: (line: LogLine) => void, interpose?: Interposition): Init {
    return new Init(platform, onLog, interpose);
  }

  /** Makes `task` a child of this init (a restore recreated it). */
  adopt(name: string, task: Task, routes: readonly string[] | undefined): void {
    this.components.set(name, { name, task, routes });
  }

  /** The parent interface for a child: the object to put in its slot 1. */
  parentFor(task: Task): KObject {
    return this.wrap(task, 'Parent', new ParentCap(task, this));
  }

  /** Wraps a session object if a parent interposes. */
  wrap(task: Task, service: ServiceName, obj: KObject): KObject {
    return this.interpose === undefined ? obj : this.interpose.wrap(task, service, obj);
  }

  /** Virtual nanoseconds -> cycles at this scenario's clock. */
  cyclesOf(ns: number): number {
    return Math.round((ns * this.scenario.clock.insnsPerSecond) / 1e9);
  }

  /** Runs until virtual time `ns` (from boot). */
  runUntilNs(ns: number): KernelStop {
    return this.kernel.run(this.cyclesOf(ns));
  }

  private emit(label: string, text: string): void {
    const line = { cycles: this.kernel.now(), label, text };
    this.log.push(line);
    this.onLog?.(line);
  }

  private childEnded(task: Task, end: TaskEnd): void {
    const name = task.label.replace(/^init -> /, '');
    if (end.kind === 'exit') this.emit('init', `${name} exited with status ${end.code}`);
    else {
      this.emit('init', `${name} faulted: ${end.reason}`);
      this.dumpRegisters(name, task);
    }
  }

  /**
   * After a fault in the thread on the hart (a trap the kernel could not resolve): its pc, the
   * trap's cause and tval, and all 32 registers as init log lines. Nothing for a fault without
   * a trapping thread (e.g. no quota for the main thread).
   */
  private dumpRegisters(name: string, task: Task): void {
    const t = this.kernel.schedulerState().current;
    if (t === undefined || t.task !== task) return;
    const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
    const cause = this.kernel.hart.exitCause;
    this.emit('init', `${name}: thread ${threadLabel(t)} pc ${hex(t.pc)} cause ${cause} (${CAUSE_NAMES[cause] ?? 'unknown'}) tval ${hex(this.kernel.hart.exitTval)}`);
    for (let row = 0; row < 32; row += 8) {
      const regs = Array.from({ length: 8 }, (_, i) => `${ABI_NAMES[row + i]}=${hex(t.regs[row + i])}`);
      this.emit('init', `${name}: ${regs.join(' ')}`);
    }
  }

  /** Delivers `bytes` to the UART receiver at cycle `due`. */
  scheduleUartBytes(bytes: Uint8Array, due: number): void {
    const pending = { bytes, due };
    this.uartInput = pending;
    const uart = this.machine.uart;
    this.kernel.events.add({
      due: () => pending.due,
      fire: () => {
        uart.pushInput(pending.bytes);
        pending.due = Infinity;
        this.uartInput = undefined;
      },
    });
  }

  /** Creates a component's task, loads its program, sets up stack and config, starts it. */
  private start(spec: ComponentSpec, elf: ElfImage): { ok: true } | { ok: false; message: string } {
    const k = this.kernel;
    const created = k.createTask(`init -> ${spec.name}`, spec.ram, spec.priority);
    if (!created.ok) return { ok: false, message: `no RAM quota (${spec.ram} bytes) or memory for the task (${created.error})` };
    const task = created.value;
    task.caps.insert(this.parentFor(task), RIGHTS_ALL, 0, undefined, SLOT_PARENT);
    if (this.interpose !== undefined) {
      for (const [slot, service] of [[SLOT_PD, 'PD'], [SLOT_CPU, 'CPU'], [SLOT_RAM, 'RAM'], [SLOT_RM, 'RM']] as const) {
        const cap = task.caps.get(slot)!;
        task.caps.remove(slot);
        task.caps.insert(this.interpose.wrap(task, service, cap.obj), cap.rights, cap.badge, undefined, slot);
      }
    }
    const routes = spec.routes === undefined ? undefined : Object.keys(spec.routes);
    this.components.set(spec.name, { name: spec.name, task, routes });
    for (const seg of elf.segments) {
      if (seg.memsz === 0) continue;
      const base = seg.vaddr - (seg.vaddr % 4096);
      const end = seg.vaddr + seg.memsz;
      if (base < PROGRAM_BASE || end > 0x1000_0000) {
        return { ok: false, message: `segment at 0x${seg.vaddr.toString(16)} lies outside the program area 0x10000-0x10000000 (assemble with --base 0x10000)` };
      }
      const ds = k.allocDataspace(task, end - base);
      if (!ds.ok) return { ok: false, message: `program does not fit its RAM quota (${spec.ram} bytes)` };
      const at = task.as.attach({ target: ds.value, addr: base, offset: 0, size: 0,
        writable: (seg.flags & 2) !== 0, executable: (seg.flags & 1) !== 0 });
      if (!at.ok) {
        return { ok: false, message: at.error === 'QUOTA' ? `program does not fit its RAM quota (${spec.ram} bytes)`
          : `segment at 0x${seg.vaddr.toString(16)} overlaps another (${at.error})` };
      }
      const off = ds.value.phys - this.machine.bus.ramBase + (seg.vaddr - base);
      this.machine.bus.ram.set(seg.data, off);
    }
    // The stack comes from the component's RAM as if it had asked its RAM session, so a parent
    // that interposes (Rtcr's dirty tracking) treats it like the component's other memory.
    const stack = this.interpose?.allocStack?.(task, STACK_SIZE) ?? k.allocDataspace(task, STACK_SIZE);
    if (!stack.ok) return { ok: false, message: `no RAM quota left for the stack (${spec.ram} bytes)` };
    const target = stack.value instanceof Dataspace ? stack.value : stack.value.rm;
    task.as.attach({ target, addr: STACK_TOP - STACK_SIZE, offset: 0, size: 0, writable: true, executable: false });
    // The config string, NUL-terminated, at the top of the stack; sp 16-byte aligned below it.
    const config = Uint8Array.from(spec.config + '\0', (ch) => ch.charCodeAt(0) & 0xff);
    const configVa = STACK_TOP - config.length;
    const w = k.writeUser(task, configVa, config);
    if (!w.ok) return { ok: false, message: 'cannot write the config string' };
    const main = task.threads[0];
    k.startThread(main, elf.entry, (configVa - 16) & ~15, configVa);
    main.regs[11] = spec.config.length;
    return { ok: true };
  }

  // ---- Router: the children's session requests ----

  session(child: Task, service: string, args: string): Result<KObject> {
    const entry = [...this.components.values()].find((c) => c.task === child);
    if (entry === undefined) return err('DENIED');
    if (entry.routes !== undefined && !entry.routes.includes(service)) {
      // Say so: a denied session is otherwise a bare error code in the component.
      const i = [...this.components.keys()].indexOf(entry.name);
      this.emit('init', `${entry.name}: no route for service ${JSON.stringify(service.slice(0, 64))} (scenario components[${i}].routes)`);
      return err('DENIED');
    }
    const factory = CORE_SERVICES.get(service);
    if (factory === undefined) {
      this.emit('init', `${entry.name}: no service ${JSON.stringify(service.slice(0, 64))} (core has ${[...CORE_SERVICES.keys()].join(', ')})`);
      return err('DENIED');
    }
    const parsed = parseSessionArgs(args);
    if (!parsed.ok) return parsed;
    const s = factory(this.kernel, child, child.label, parsed.value);
    return s.ok ? { ok: true, value: this.wrap(child, service as ServiceName, s.value) } : s;
  }

  /** A child closed a session: a Timer stops, an IRQ source is released. */
  close(_child: Task, session: KObject): void {
    const real = unwrap(session);
    if (real instanceof TimerSession) this.kernel.events.delete(real);
    if (real instanceof IrqSession) this.kernel.releaseIrq(real.irq);
  }
}

/** Assembles (.s) or parses (.elf) a component's program. */
function buildProgram(c: ComponentSpec, readFile: (path: string) => Uint8Array | undefined):
  { ok: true; elf: ElfImage } | { ok: false; message: string } {
  const bytes = readFile(c.program);
  if (bytes === undefined) return { ok: false, message: `program ${c.program} not found` };
  let elfBytes = bytes;
  if (!c.program.endsWith('.elf')) {
    const r = assemble([{ name: c.program, text: latin1(bytes) }], {
      base: PROGRAM_BASE,
      readFile: (p) => { const f = readFile(p); return f === undefined ? undefined : latin1(f); },
    });
    if (!r.ok) return { ok: false, message: `${c.program} does not assemble:\n${r.errors.map(formatError).join('\n')}` };
    elfBytes = r.elf;
  }
  const parsed = parseElf(elfBytes);
  if (!parsed.ok) return { ok: false, message: `${c.program}: ${parsed.error}` };
  return { ok: true, elf: parsed.elf };
}

/** A thread's name for log and trace lines: printable ASCII (guests name threads), or #index. */
export function threadLabel(t: Thread): string {
  const name = t.name.replace(/[^\x21-\x7e]/g, '?').slice(0, 32);
  return name === '' ? `#${t.index}` : name;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}
