// Interrupt wiring between devices and the hart (or the PLIC).

/** One level-triggered interrupt line. Devices call set() whenever their output may change. */
export interface IrqLine {
  set(level: boolean): void;
}

/** Virtual time as devices see it. */
export interface Clock {
  /** Virtual cycles elapsed since reset (one per retired instruction, plus idle jumps). */
  cycles(): number;
}
