// Kernel objects and how they are invoked. Every object a capability can name implements
// KObject; objects with operations implement invoke(), which decodes the ABI's opcode and
// arguments (docs/abi.md) and answers with a Reply. Nothing here throws on guest input.

import type { KernelError } from './errors';
import type { Kernel } from './kernel';
import type { Task } from './task';
import type { Thread } from './thread';

/** Object types as CAP_INFO reports them. */
export const enum ObjType {
  Parent = 1,
  Pd = 2,
  CpuSession = 3,
  RamSession = 4,
  RegionMap = 5,
  SignalReceiver = 6,
  SignalContext = 7,
  Thread = 8,
  Dataspace = 9,
  LogSession = 10,
  TimerSession = 11,
  IrqSession = 12,
  RmSession = 13,
  IoMemSession = 14,
  ShmSession = 15,
}

/** Capability rights. */
export const RIGHT_INVOKE = 1;
export const RIGHT_WRITE = 2;
export const RIGHT_DELEGATE = 4;
export const RIGHTS_ALL = RIGHT_INVOKE | RIGHT_WRITE | RIGHT_DELEGATE;

/** One INVOKE: who calls, the opcode, a2..a6, and the rights of the capability used. */
export interface Invocation {
  readonly kernel: Kernel;
  readonly task: Task;
  readonly thread: Thread;
  readonly op: number;
  readonly args: readonly number[];
  readonly rights: number;
}

/** The answer: results for a1..a3, an error, or "the caller blocks" (it is answered later). */
export type Reply =
  | { readonly kind: 'ok'; readonly values: readonly number[] }
  | { readonly kind: 'error'; readonly error: KernelError }
  | { readonly kind: 'block' };

export const reply = (...values: number[]): Reply => ({ kind: 'ok', values });
export const fail = (error: KernelError): Reply => ({ kind: 'error', error });
export const BLOCK: Reply = { kind: 'block' };

export interface KObject {
  readonly type: ObjType;
  /** Handles an INVOKE on a capability to this object; objects without operations omit it. */
  invoke?(call: Invocation): Reply;
}

/** An object that stands in front of another (an intercepting session component). */
export interface Interposer extends KObject {
  readonly inner: KObject;
}

/** The object behind any interposers. */
export function unwrap(obj: KObject): KObject {
  let o = obj;
  while ('inner' in o) o = (o as Interposer).inner;
  return o;
}
