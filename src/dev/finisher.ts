// SiFive test finisher ("sifive,test0" on QEMU virt): a write to offset 0 ends the run.
//
//   low 16 bits 0x5555           pass (exit code 0)
//   low 16 bits 0x3333           fail, exit code = value >>> 16
//   low 16 bits 0x7777           reset request (reported as its own kind; the board decides)
//
// Like QEMU, 16- and 32-bit writes at offset 0 are decoded (a 16-bit fail carries code 0);
// everything else is ignored and every read returns 0.

import type { AccessSize, MmioDevice } from '../mmu/bus';
import { FINISHER_SIZE } from './memlayout';

export const FINISHER_PASS = 0x5555;
export const FINISHER_FAIL = 0x3333;
export const FINISHER_RESET = 0x7777;

export interface FinisherResult {
  kind: 'pass' | 'fail' | 'reset';
  /** Exit code: 0 for pass and reset, value >>> 16 for fail. */
  code: number;
}

export class TestFinisher implements MmioDevice {
  readonly name = 'finisher';
  readonly size = FINISHER_SIZE;
  private readonly onFinish: (result: FinisherResult) => void;

  /** Contract: onFinish is called synchronously from write(), once per decoded command. */
  constructor(onFinish: (result: FinisherResult) => void) {
    this.onFinish = onFinish;
  }

  read(offset: number, size: AccessSize): number {
    return this.peek(offset, size);
  }

  /** The finisher has no readable state. */
  peek(offset: number, size: AccessSize): number {
    void offset;
    void size;
    return 0;
  }

  /** Decodes a 16- or 32-bit store at offset 0; ignores anything else. */
  write(offset: number, size: AccessSize, value: number): void {
    if (offset !== 0 || size === 1) return;
    const v = size === 2 ? value & 0xffff : value >>> 0;
    const result = decodeFinisher(v);
    if (result !== undefined) this.onFinish(result);
  }
}

/** Contract: the command a 32-bit finisher value encodes, or undefined for none. */
export function decodeFinisher(value: number): FinisherResult | undefined {
  switch (value & 0xffff) {
    case FINISHER_PASS:
      return { kind: 'pass', code: 0 };
    case FINISHER_FAIL:
      return { kind: 'fail', code: value >>> 16 };
    case FINISHER_RESET:
      return { kind: 'reset', code: 0 };
    default:
      return undefined;
  }
}
