// The kernel: hosted in TypeScript, it runs component threads on the hart in U-mode (hosted
// mode) and handles what they trap into it: system calls, page faults and faults. It owns the
// frame allocator, the tasks, the scheduler and the virtual-time events (timers, device input,
// interrupts). Kernel work takes no virtual time: only guest instructions advance the clock.

import { StopReason, type Hart } from '../cpu/hart';
import { Priv } from '../mmu/mmu';
import type { Machine, TraceEntry } from '../dev/machine';
import { PLIC_CONTEXT_M } from '../dev/memlayout';
import { CapTable, isLive, type Capability } from './captable';
import { err, ok, type Result } from './errors';
import { Dataspace } from './dataspace';
import { FrameAllocator } from './frames';
import { RIGHTS_ALL, RIGHT_INVOKE, type KObject } from './object';
import { PageTable } from './pagetable';
import { handlePageFault } from './pagefault';
import { NULL_GUARD, RegionMap } from './regionmap';
import { SignalReceiver } from './signal';
import { handleSyscall } from './syscall';
import { coveredMegapages, SLOT_CPU, SLOT_MAIN_THREAD, SLOT_PD, SLOT_RAM, SLOT_RM, SLOT_SIGNALS, Task, type TaskEnd } from './task';
import { Thread, ThreadState } from './thread';
import { CpuSession } from './services/cpu';
import { PdSession } from './services/pd';
import { RamSession } from './services/ram';

/** User address-space layout (docs/abi.md). */
export const USER_TOP = 0x8000_0000;
export const ANY_FROM = 0x1000_0000;
export const ANY_TO = 0x7000_0000;
export const STACK_TOP = 0x7f00_0000;
export const STACK_SIZE = 64 * 1024;
export const UTCB_BASE = 0x7f00_0000;

/** Something in virtual time the kernel must act on: a timer, device input. */
export interface TimedEvent {
  /** Cycle at which it is due (Infinity: never). */
  due(): number;
  /** Called once `due()` <= now; must move due() past now. */
  fire(now: number): void;
}

/** An interrupt source bound to a component (the IRQ session). */
export interface IrqTarget {
  readonly task: Task;
  /** The PLIC claimed this source for it. */
  deliver(): void;
}

export interface KernelOptions {
  /** Scheduling quantum in cycles. */
  quantum?: number;
  /** A LOG line: the session's label and the text. */
  log: (label: string, text: string) => void;
  /** A component ended (exit or fault): its parent is told. */
  onTaskEnd?: (task: Task, end: TaskEnd) => void;
}

/** Why run() returned; 'limit': insnLimit instructions have run. */
export type KernelStop = 'until' | 'idle' | 'exited' | 'limit';

export class Kernel {
  readonly hart: Hart;
  readonly frames: FrameAllocator;
  readonly tasks: Task[] = [];
  readonly events = new Set<TimedEvent>();
  /** The next Timer session's creation number (see TimerSession.seq). */
  nextTimerSeq = 0;
  readonly irqTargets = new Map<number, IrqTarget>();
  readonly quantum: number;
  /**
   * Core's own capability table: a capability passed as an argument to a core service (a signal
   * context for SIGH, a fault handler) is derived into it, so revoking or deleting the caller's
   * capability also takes it away from the service.
   */
  readonly coreCaps = new CapTable(1 << 20);
  private readonly rr: Thread[] = []; // round-robin order of every live thread
  private current: Thread | undefined;
  readonly log: (label: string, text: string) => void;
  private readonly onTaskEnd: ((task: Task, end: TaskEnd) => void) | undefined;
  /** Guest instructions retired by run() (all components); run() stops at insnLimit of them. */
  executed = 0;
  insnLimit = Infinity;
  /**
   * Tracing (--trace): called before each slice; a sink makes the slice single-step and report
   * every instruction of `t` to it. Undefined (the default) or no sink: the fast path.
   */
  traceThread: ((t: Thread) => ((e: TraceEntry) => void) | undefined) | undefined;

  constructor(readonly machine: Machine, opts: KernelOptions) {
    this.hart = machine.hart;
    this.frames = new FrameAllocator(machine.bus, machine.hart);
    this.quantum = opts.quantum ?? machine.cyclesPerTick * 100_000; // 10 ms at the default clock
    this.log = opts.log;
    this.onTaskEnd = opts.onTaskEnd;
    const h = this.hart;
    h.hosted = true;
    h.priv = Priv.U;
    h.mstatus = 0;
    h.contextChanged();
  }

  /** Virtual time in cycles. */
  now(): number {
    return this.hart.cycles;
  }

  /** Cycles per virtual microsecond. */
  get cyclesPerUs(): number {
    return this.machine.insnsPerSecond / 1e6;
  }

  // ---- tasks and threads ----

  /**
   * Creates a component: task, address space, PD/CPU/RAM sessions, signal receiver and a main
   * thread (not started), in the initial slots of docs/abi.md. The parent installs slot 1.
   */
  createTask(label: string, ramQuota: number, priority: number, opts: { bare?: boolean } = {}): Result<Task> {
    if (ramQuota < 4096) return err('QUOTA');
    const root = this.frames.alloc(1);
    if (root < 0) return err('QUOTA');
    const pt = new PageTable(this.machine.bus, this.frames, root);
    const as = new RegionMap(USER_TOP, (t, va, len) => this.unmap(t, va, len), ANY_FROM, ANY_TO);
    as.onChange = (rm) => this.retryFaultsIn(rm);
    as.floor = NULL_GUARD;
    const signals = this.newReceiver();
    const task = new Task(this.tasks.length + 1, label, pt, as, signals, ramQuota, priority);
    // An attach that reaches a new 4 MiB region needs a level-0 table: charged to the quota.
    as.admit = (base, size) => task.ramUsed + (1 + coveredMegapages(as.regions, { base, size }).size) * 4096 <= ramQuota;
    as.owner = task;
    this.tasks.push(task);
    if (opts.bare === true) return ok(task); // a restore fills the slots itself
    task.caps.insert(new PdSession(task), RIGHTS_ALL, 0, undefined, SLOT_PD);
    task.caps.insert(new CpuSession(task), RIGHTS_ALL, 0, undefined, SLOT_CPU);
    task.caps.insert(new RamSession(task), RIGHTS_ALL, 0, undefined, SLOT_RAM);
    task.caps.insert(as, RIGHTS_ALL, 0, undefined, SLOT_RM);
    task.caps.insert(signals, RIGHTS_ALL, 0, undefined, SLOT_SIGNALS);
    const main = this.createThread(task, 'main', priority);
    if (!main.ok) {
      this.endTask(task, { kind: 'fault', reason: `no RAM quota for the main thread (${ramQuota} bytes)` });
      return main;
    }
    task.caps.insert(main.value, RIGHT_INVOKE, 0, undefined, SLOT_MAIN_THREAD);
    return ok(task);
  }

  /** A signal receiver whose waiters the kernel wakes. */
  newReceiver(): SignalReceiver {
    return new SignalReceiver((t, imprint, count) => {
      t.regs[10] = 0;
      t.regs[11] = imprint;
      t.regs[12] = count;
      t.waitingOn = undefined;
      t.state = ThreadState.Ready;
    });
  }

  /** Creates a paused thread with its UTCB page attached (charged to the task's quota). */
  createThread(task: Task, name: string, priority: number, opts: { noUtcb?: boolean } = {}): Result<Thread> {
    const index = task.threads.length;
    const utcbVa = UTCB_BASE + index * 4096;
    if (utcbVa >= USER_TOP) return err('QUOTA');
    if (opts.noUtcb !== true) { // a restore brings the UTCB back with the address space
      const ds = this.allocDataspace(task, 4096);
      if (!ds.ok) return ds;
      const at = task.as.attach({ target: ds.value, addr: utcbVa, offset: 0, size: 0, writable: true, executable: false });
      if (!at.ok) return at;
    }
    const t = new Thread(task, index, name, Math.min(priority, task.maxPriority), utcbVa);
    t.regs[4] = utcbVa; // tp
    task.threads.push(t);
    this.rr.push(t);
    return ok(t);
  }

  /** Starts (or restarts) a thread at ip with sp and a0. */
  startThread(t: Thread, ip: number, sp: number, a0: number): void {
    t.pc = ip | 0;
    t.regs[2] = sp | 0;
    t.regs[10] = a0 | 0;
    t.started = true;
    t.paused = false;
    if (t.state === ThreadState.Paused) t.state = ThreadState.Ready;
  }

  /** Ends a thread: it never runs again. */
  killThread(t: Thread): void {
    t.state = ThreadState.Dead;
    t.waitingOn?.forget(t);
    t.waitingOn = undefined;
    if (t.faultIn !== undefined) {
      const w = t.faultIn.faultWaiters;
      if (w.includes(t)) w.splice(w.indexOf(t), 1);
      t.faultIn = undefined;
    }
    const i = this.rr.indexOf(t);
    if (i >= 0) this.rr.splice(i, 1);
  }

  /** Ends a component (exit or fault): its threads stop, its parent is told. */
  endTask(task: Task, end: TaskEnd): void {
    if (!task.alive) return;
    task.end = end;
    for (const t of task.threads) this.killThread(t);
    for (const [src, target] of this.irqTargets) if (target.task === task) this.irqTargets.delete(src);
    this.onTaskEnd?.(task, end);
  }

  // ---- memory ----

  /** Allocates a zeroed RAM dataspace charged to `task`'s quota. */
  allocDataspace(task: Task, size: number): Result<Dataspace> {
    if (!Number.isInteger(size) || size <= 0) return err('BAD_ARG');
    const bytes = Math.ceil(size / 4096) * 4096;
    if (task.ramCharged + bytes > task.ramQuota) return err('QUOTA');
    const pa = this.frames.alloc(bytes / 4096);
    if (pa < 0) return err('QUOTA');
    const ds = new Dataspace(pa, bytes);
    task.ramUsed += bytes;
    task.dataspaces.add(ds);
    return ok(ds);
  }

  /** Frees a dataspace: detaches it everywhere, returns its frames and quota. */
  freeDataspace(task: Task, ds: Dataspace): void {
    if (ds.freed || !task.dataspaces.has(ds)) return;
    for (const rm of [...ds.attachments]) rm.detachAll(ds);
    ds.freed = true;
    task.dataspaces.delete(ds);
    task.ramUsed -= ds.size;
    this.frames.free(ds.phys, ds.size / 4096);
  }

  /** Unmaps [va, va+len) in `task` and flushes the TLB. */
  unmap(task: Task, va: number, len: number): void {
    task.pt.unmap(va, len);
    this.hart.mmu.flush();
  }

  /** Threads blocked in a fault in `rm` retry after something was attached there. */
  retryFaultsIn(rm: RegionMap): void {
    for (const t of rm.faultWaiters.splice(0)) {
      if (t.state !== ThreadState.Faulted) continue;
      t.state = ThreadState.Ready;
      t.faultIn = undefined;
    }
    rm.faultType = 0;
  }

  /**
   * Copies `len` bytes from `task`'s virtual memory (through its region maps, not its page
   * table, so nothing faults). FAULT if any byte is not backed by RAM.
   */
  readUser(task: Task, va: number, len: number): Result<Uint8Array> {
    const out = new Uint8Array(len);
    const r = this.userCopy(task, va, len, false, (ramOff, i, n) => out.set(this.machine.bus.ram.subarray(ramOff, ramOff + n), i));
    return r.ok ? ok(out) : r;
  }

  /** Copies bytes into `task`'s writable virtual memory. */
  writeUser(task: Task, va: number, data: Uint8Array): Result<void> {
    const bus = this.machine.bus;
    return this.userCopy(task, va, data.length, true, (ramOff, i, n) => {
      bus.ram.set(data.subarray(i, i + n), ramOff);
      this.hart.jit.invalidateRange(bus.ramBase + ramOff, n);
    });
  }

  private userCopy(task: Task, va: number, len: number, write: boolean,
    copy: (ramOff: number, index: number, n: number) => void): Result<void> {
    if (!Number.isInteger(va) || !Number.isInteger(len) || len < 0 || va < 0 || va + len > USER_TOP) return err('FAULT');
    const bus = this.machine.bus;
    for (let i = 0; i < len;) {
      const a = va + i;
      let res = task.as.resolve(a);
      // A hole (or a read-only page) that a host-side pager serves: let it fault in, once.
      const pager = res.kind === 'hole' ? res.rm : res.kind === 'mapped' && write && !res.writable ? res.rm : undefined;
      if (pager?.pager !== undefined && pager.pager.fault(res.kind === 'hole' ? res.addr : (res as { addr: number }).addr, write)) {
        res = task.as.resolve(a);
      }
      if (res.kind !== 'mapped' || res.io || (write && !res.writable)) return err('FAULT');
      const n = Math.min(len - i, 4096 - (a % 4096));
      const pa = res.pa + (a % 4096);
      if (!bus.isRam(pa, n)) return err('FAULT');
      copy(pa - bus.ramBase, i, n);
      i += n;
    }
    return ok(undefined);
  }

  // ---- interrupts ----

  /** Routes PLIC source `irq` to `target` (enables it in the M context the kernel claims from). */
  bindIrq(irq: number, target: IrqTarget): void {
    this.irqTargets.set(irq, target);
    const plic = this.machine.plic;
    plic.write(irq * 4, 4, 1); // priority 1
    const word = 0x2000 + 0x80 * PLIC_CONTEXT_M;
    plic.write(word, 4, plic.peek(word, 4) | (1 << irq));
  }

  /** Unbinds PLIC source `irq` (its IRQ session closed): disabled, any claim completed. */
  releaseIrq(irq: number): void {
    if (!this.irqTargets.delete(irq)) return;
    const plic = this.machine.plic;
    const word = 0x2000 + 0x80 * PLIC_CONTEXT_M;
    plic.write(word, 4, plic.peek(word, 4) & ~(1 << irq));
    plic.complete(PLIC_CONTEXT_M, irq);
  }

  /** Completes the claim of `irq` (the component acknowledged it). */
  completeIrq(irq: number): void {
    this.machine.plic.complete(PLIC_CONTEXT_M, irq);
  }

  /** Claims every pending interrupt and hands it to its component. */
  private pollIrqs(): void {
    const plic = this.machine.plic;
    while (plic.outputHigh(PLIC_CONTEXT_M)) {
      const id = plic.claim(PLIC_CONTEXT_M);
      if (id === 0) break;
      const target = this.irqTargets.get(id);
      if (target === undefined) {
        plic.complete(PLIC_CONTEXT_M, id);
        continue;
      }
      target.task.stats.irqs++;
      target.deliver();
    }
  }

  // ---- the run loop ----

  /** The earliest pending event, in cycles. */
  private nextEvent(): number {
    let next = Infinity;
    for (const e of this.events) next = Math.min(next, e.due());
    return next;
  }

  private fireEvents(): void {
    const now = this.now();
    for (const e of [...this.events]) if (e.due() <= now) e.fire(now);
    this.pollIrqs();
  }

  /** The highest-priority runnable thread, round robin within a priority. */
  private pick(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.rr) if (t.runnable && (best === undefined || t.priority > best.priority)) best = t;
    return best;
  }

  /** The scheduler's state: round-robin order, the thread on the hart and its reservation. */
  schedulerState(): { order: Thread[]; current: Thread | undefined; reservationVa: number | undefined } {
    const cur = this.current;
    const held = cur !== undefined && this.hart.reservation !== -1;
    return { order: [...this.rr], current: cur, reservationVa: held ? this.hart.reservationVa >>> 0 : undefined };
  }

  /**
   * Sets the scheduler's state (a restore): the round-robin order, the thread considered on the
   * hart, and an LR reservation it holds (a virtual address in its task).
   */
  restoreScheduler(order: Thread[], current: Thread | undefined, reservationVa: number | undefined): void {
    this.rr.length = 0;
    this.rr.push(...order);
    this.current = current;
    this.hart.reservation = -1;
    if (current !== undefined && reservationVa !== undefined) {
      const res = current.task.as.resolve(reservationVa);
      if (res.kind === 'mapped') {
        this.hart.reservation = res.pa + (reservationVa % 4096);
        this.hart.reservationVa = reservationVa | 0;
      }
    }
  }

  /** Moves `t` to the end of the round-robin order (its quantum is used up, or it yielded). */
  rotate(t: Thread): void {
    const i = this.rr.indexOf(t);
    if (i >= 0) {
      this.rr.splice(i, 1);
      this.rr.push(t);
    }
    t.quantumUsed = 0;
  }

  /**
   * Runs components until virtual time `until` (cycles). Returns 'until', 'idle' when every
   * thread waits for something that can never come, or 'exited' when no component is alive.
   */
  run(until: number): KernelStop {
    const hart = this.hart;
    for (;;) {
      this.fireEvents();
      if (this.tasks.every((t) => !t.alive)) return 'exited';
      if (hart.cycles >= until) return 'until';
      if (this.executed >= this.insnLimit) return 'limit';
      const t = this.pick();
      if (t === undefined) {
        const next = this.nextEvent();
        if (next === Infinity) return 'idle';
        hart.cycles = Math.min(Math.max(hart.cycles, next), until); // idle: time jumps
        continue;
      }
      this.runSlice(t, until);
    }
  }

  /** Runs `t` until its quantum ends, an event is due, or it traps. */
  private runSlice(t: Thread, until: number): void {
    const hart = this.hart;
    if (this.current !== t) {
      // A switch ends any LR reservation; a thread that just continues keeps it, so that where
      // a run is cut into slices (or checkpointed) is invisible to the guest.
      t.task.stats.contextSwitches++;
      this.current = t;
      hart.reservation = -1;
    }
    hart.x.set(t.regs);
    hart.x[0] = 0;
    hart.pc = t.pc;
    hart.satp = t.task.pt.satp;
    hart.contextChanged();
    const now = hart.cycles;
    const budget = t.singleStep ? 1
      : Math.max(1, Math.min(this.quantum - t.quantumUsed, this.nextEvent() - now, until - now, this.insnLimit - this.executed));
    const sink = this.traceThread?.(t);
    const reason = sink === undefined ? hart.run(budget) : this.runTraced(budget, sink);
    const used = hart.cycles - now;
    this.executed += used;
    t.quantumUsed += used;
    t.task.stats.instructions += used;
    t.regs.set(hart.x);
    t.pc = hart.pc;
    if (reason === StopReason.HostedTrap) this.handleTrap(t, hart.exitCause, hart.exitTval);
    else if (t.singleStep) t.paused = true;
    if (t.quantumUsed >= this.quantum) this.rotate(t);
  }

  /** hart.run(budget), one instruction at a time, each reported to `sink`. */
  private runTraced(budget: number, sink: (e: TraceEntry) => void): StopReason {
    let reason = StopReason.Budget;
    for (let i = 0; i < budget && reason === StopReason.Budget; i++) reason = this.machine.traceStep(sink);
    return reason;
  }

  private handleTrap(t: Thread, cause: number, tval: number): void {
    switch (cause) {
      case 8:
        t.task.stats.syscalls++;
        handleSyscall(this, t);
        return;
      case 12: case 13: case 15:
        t.task.stats.pageFaults++;
        handlePageFault(this, t, cause, tval >>> 0);
        return;
      default:
        this.endTask(t.task, { kind: 'fault', reason: `${CAUSES[cause] ?? `trap ${cause}`} at pc 0x${hex(t.pc)} (tval 0x${hex(tval)})` });
    }
  }

  /**
   * The capability in `task`'s `slot` handed to a core service: derived into core's table (a
   * child of the caller's capability). Returns undefined for an empty slot.
   */
  delegateToCore(task: Task, slot: number): Capability | undefined {
    const cap = task.caps.get(slot);
    if (cap === undefined) return undefined;
    const s = this.coreCaps.insert(cap.obj, cap.rights, cap.badge, cap);
    return s < 0 ? undefined : this.coreCaps.get(s);
  }

  /** Drops core's reference (a service replaced or closed it). */
  releaseCore(cap: Capability | undefined): void {
    if (cap !== undefined && isLive(cap)) cap.table.remove(cap.slot);
  }

  /** Installs `obj` in `task`'s lowest free slot; QUOTA when the table is full. */
  installCap(task: Task, obj: KObject, rights: number, badge = 0): Result<number> {
    const slot = task.caps.insert(obj, rights, badge);
    return slot < 0 ? err('QUOTA') : ok(slot);
  }
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

const CAUSES: Record<number, string> = {
  0: 'misaligned fetch', 1: 'fetch access fault', 2: 'illegal instruction', 3: 'breakpoint',
  4: 'misaligned load', 5: 'load access fault', 6: 'misaligned store', 7: 'store access fault',
};
