// The state hash of a scenario: what its components can observe, never physical placement or
// page-table layout. Per component (in start order): its end state; threads (registers, pc,
// state, priority); capability slots and what they name; memory by virtual address (every
// attached region, page by page, through nested region maps); pending signals; timers. Then the
// virtual time and the device registers.

import { WordHasher } from '../dev/statehash';
import { Dataspace } from './dataspace';
import type { Kernel } from './kernel';
import { unwrap } from './object';
import { ManagedDataspace, RegionMap } from './regionmap';
import { SignalContext, SignalReceiver } from './signal';
import { TimerSession, IrqSession } from './services/sessions';
import type { Task } from './task';

export function kernelStateHash(k: Kernel): string {
  const h = new WordHasher();
  for (const task of k.tasks) hashTask(h, k, task);
  h.number(k.now());
  const m = k.machine;
  h.text(JSON.stringify([m.plic.saveState(), m.uart.saveState(), m.irqsrc.saveState()]));
  return h.digest();
}

function hashTask(h: WordHasher, k: Kernel, task: Task): void {
  h.text(task.label);
  h.text(task.end === undefined ? 'alive' : JSON.stringify(task.end));
  h.word(task.ramUsed);
  for (const t of task.threads) {
    h.word(t.index);
    h.word(t.stateWord);
    h.word(t.priority);
    h.word(t.pc);
    h.words(t.regs);
  }
  for (const cap of task.caps.entries()) {
    h.word(cap.slot);
    h.word(cap.obj.type);
    h.word(cap.rights);
    h.word(cap.badge);
    hashObject(h, k, unwrap(cap.obj));
  }
  hashRegions(h, k, task.as);
}

/** The observable state of one object a capability names. */
function hashObject(h: WordHasher, k: Kernel, obj: object): void {
  if (obj instanceof SignalContext) {
    h.word(obj.imprint);
    h.number(obj.count);
  } else if (obj instanceof SignalReceiver) {
    h.word(obj.pending.length);
    for (const c of obj.pending) h.word(c.imprint);
  } else if (obj instanceof Dataspace) {
    h.word(obj.size);
  } else if (obj instanceof ManagedDataspace || obj instanceof RegionMap) {
    h.word(obj instanceof RegionMap ? obj.size : obj.rm.size);
  } else if (obj instanceof TimerSession) {
    h.number(obj.deadline === Infinity ? -1 : obj.deadline - k.now());
    h.number(obj.period);
  } else if (obj instanceof IrqSession) {
    h.word(obj.irq);
    h.word(obj.claimed ? 1 : 0);
  }
}

/**
 * The address space by virtual address: each top-level region's place and permissions, then the
 * bytes of every page as the component would read them, through nested managed dataspaces and
 * a host pager's holes (so how memory is put together, or tracked, does not change the hash).
 */
function hashRegions(h: WordHasher, k: Kernel, as: RegionMap): void {
  const bus = k.machine.bus;
  for (const r of as.regions) {
    h.word(r.base);
    h.word(r.size);
    h.word((r.writable ? 1 : 0) | (r.executable ? 2 : 0));
    for (let va = r.base; va < r.base + r.size; va += 4096) {
      const pa = pageBehind(as, va);
      if (pa === undefined || !bus.isRam(pa, 4096)) {
        h.word(-1);
        continue;
      }
      const first = (pa - bus.ramBase) >>> 2;
      h.words(bus.ram32.subarray(first, first + 1024));
    }
  }
}

/** The physical page behind `va`, without side effects; undefined for nothing or device memory. */
function pageBehind(as: RegionMap, va: number): number | undefined {
  const res = as.resolve(va);
  if (res.kind === 'mapped') return res.io ? undefined : res.pa;
  if (res.kind === 'hole') return res.rm.pager?.peek(res.addr - (res.addr % 4096));
  return undefined;
}
