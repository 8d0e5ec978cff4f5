// The machine's state hash: a 64-bit digest (two independent 32-bit lanes, hex) of everything a
// bare-metal guest can observe: registers, pc, privilege, CSRs, counters, virtual time, RAM and
// device registers. Two runs of the same ELF with the same inputs end with the same hash.
//
// Not a cryptographic hash: it detects divergence, it does not resist forgery.

import type { Hart } from '../cpu/hart';
import type { Machine } from './machine';

/** A streaming hasher over 32-bit words (FNV-1a-style multiply/xor on two lanes, murmur finish). */
export class WordHasher {
  private a = 0x811c9dc5 | 0;
  private b = 0x01000193 ^ 0x5bd1e995;

  word(v: number): void {
    this.a = Math.imul(this.a ^ v, 0x01000193);
    this.b = Math.imul(this.b ^ v, 0x5bd1e995) ^ (this.b >>> 15);
  }

  /** A number that may exceed 32 bits (counters): both halves. */
  number(v: number): void {
    this.word(v % 4294967296 | 0);
    this.word(Math.floor(v / 4294967296) | 0);
  }

  words(arr: Int32Array): void {
    let a = this.a, b = this.b;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      a = Math.imul(a ^ v, 0x01000193);
      b = Math.imul(b ^ v, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a;
    this.b = b;
  }

  text(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  digest(): string {
    const fin = (h: number) => {
      h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
      return (h >>> 0).toString(16).padStart(8, '0');
    };
    return fin(this.a) + fin(this.b ^ this.a);
  }
}

/** Hashes the hart's architectural state. */
export function hashHart(h: WordHasher, hart: Hart): void {
  h.words(hart.x);
  for (const v of [
    hart.pc, hart.priv, hart.mstatus, hart.medeleg, hart.mideleg, hart.mie, hart.mip(), hart.mtvec,
    hart.stvec, hart.mepc, hart.sepc, hart.mcause, hart.scause, hart.mtval, hart.stval,
    hart.mscratch, hart.sscratch, hart.mcounteren, hart.scounteren, hart.mcountinhibit, hart.satp,
    hart.reservation, hart.waiting ? 1 : 0,
  ]) h.word(v | 0);
  h.number(hart.cycles);
  h.number(hart.mcycle());
  h.number(hart.minstret());
}

/** The state hash of a whole machine. */
export function stateHash(m: Machine): string {
  const h = new WordHasher();
  hashHart(h, m.hart);
  h.words(m.bus.ram32);
  h.text(JSON.stringify([m.clint.saveState(), m.plic.saveState(), m.uart.saveState(), m.irqsrc.saveState()]));
  return h.digest();
}
