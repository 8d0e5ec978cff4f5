// CSR numbers and their names, as the privileged spec and GNU binutils spell them. Shared by the
// hart (which CSRs exist), the assembler and the disassembler.

export const CSR = {
  // Unprivileged counters (read-only shadows)
  cycle: 0xc00, time: 0xc01, instret: 0xc02,
  cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82,
  // Supervisor
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144,
  satp: 0x180,
  // Machine information
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  // Machine trap setup and handling
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a, mcountinhibit: 0x320,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  // Machine counters
  mcycle: 0xb00, minstret: 0xb02, mcycleh: 0xb80, minstreth: 0xb82,
} as const;

export type CsrName = keyof typeof CSR;

/** CSR number -> name, including the numbered families (pmpcfgN, hpmcounterN, ...). */
export const CSR_NAMES: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [name, num] of Object.entries(CSR)) m.set(num, name);
  for (let i = 0; i < 4; i++) m.set(0x3a0 + i, `pmpcfg${i}`);
  for (let i = 0; i < 16; i++) m.set(0x3b0 + i, `pmpaddr${i}`);
  for (let i = 3; i < 32; i++) {
    m.set(0xc00 + i, `hpmcounter${i}`);
    m.set(0xc80 + i, `hpmcounter${i}h`);
    m.set(0xb00 + i, `mhpmcounter${i}`);
    m.set(0xb80 + i, `mhpmcounter${i}h`);
    m.set(0x320 + i, `mhpmevent${i}`);
  }
  return m;
})();

/** Name -> CSR number, for the assembler. */
export const CSR_BY_NAME: ReadonlyMap<string, number> = new Map(
  [...CSR_NAMES].map(([num, name]) => [name, num]),
);
