// The page-fault path. The MMU walked the task's real Sv32 table and faulted; the kernel
// resolves the address through the task's region-map tree:
// - backed by a dataspace with the access allowed: write the PTE, re-run the instruction;
// - inside a managed dataspace with nothing attached there (or the access not allowed by the
//   managed region map's region): block the thread, record the fault state and signal the
//   region map's fault handler; an attach there wakes the thread to retry;
// - otherwise the component faults and its parent is told.

import { isLive } from './captable';
import type { Kernel } from './kernel';
import { signal } from './signal';
import { USER_TOP } from './kernel';
import { FaultType, type RegionMap } from './regionmap';
import { ThreadState, type Thread } from './thread';

const TYPE_BY_CAUSE: Record<number, FaultType> = { 12: FaultType.Exec, 13: FaultType.Read, 15: FaultType.Write };
const TYPE_NAMES = ['', 'read', 'write', 'execute'];

/** Resolves the fault of `t` at `va` (cause 12, 13 or 15). */
export function handlePageFault(k: Kernel, t: Thread, cause: number, va: number): void {
  const type = TYPE_BY_CAUSE[cause];
  const task = t.task;
  const res = va < USER_TOP ? task.as.resolve(va) : { kind: 'none' as const };
  if (res.kind === 'mapped') {
    const allowed = type === FaultType.Write ? res.writable : type === FaultType.Exec ? res.executable : true;
    if (allowed) {
      if (task.pt.map(va - (va % 4096), res.pa, res.writable, res.executable)) return; // pc unchanged: it runs again
      k.endTask(task, { kind: 'fault', reason: `no memory left for a page table (fault at 0x${hex(va)})` });
      return;
    }
    if (res.rm !== task.as) {
      blockInFault(k, t, res.rm, res.addr, type, va);
      return;
    }
  } else if (res.kind === 'hole') {
    blockInFault(k, t, res.rm, res.addr, type, va);
    return;
  }
  k.endTask(task, { kind: 'fault', reason: `unresolvable ${TYPE_NAMES[type]} page fault at 0x${hex(va)}, pc 0x${hex(t.pc)}` });
}

function blockInFault(k: Kernel, t: Thread, rm: RegionMap, addr: number, type: FaultType, va: number): void {
  if (rm.faultHandler === undefined || !isLive(rm.faultHandler)) {
    k.endTask(t.task, { kind: 'fault', reason: `${TYPE_NAMES[type]} fault at 0x${hex(va)} in a managed dataspace without fault handler, pc 0x${hex(t.pc)}` });
    return;
  }
  t.state = ThreadState.Faulted;
  t.faultIn = rm;
  rm.faultType = type;
  rm.faultAddr = addr;
  rm.faultWaiters.push(t);
  signal(rm.faultHandler, 1);
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
