// The instruction set, defined once.
//
// Every RV32IMA + Zicsr + Zifencei + privileged instruction this hart implements is one row of
// ISA below: its mnemonic, its encoding (match/mask, as in the spec's opcode map) and its operand
// format. The decoder (decode.ts), the executor's dispatch (hart.ts switches on Op), the
// disassembler and the assembler (src/asm) are all derived from this table; a test rejects
// overlapping rows.

/** Operation ids: the executor switches on these. 0 is "illegal instruction". */
export const enum Op {
  ILLEGAL = 0,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LBU, LHU,
  SB, SH, SW,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  FENCE, FENCE_I, ECALL, EBREAK,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W,
  AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  MRET, SRET, WFI, SFENCE_VMA,
  COUNT,
}

/**
 * Operand formats, named by their assembly syntax:
 * - `R`      rd, rs1, rs2
 * - `I`      rd, rs1, imm12 (signed)
 * - `SHIFT`  rd, rs1, shamt5
 * - `LOAD`   rd, imm12(rs1)
 * - `STORE`  rs2, imm12(rs1)
 * - `BRANCH` rs1, rs2, offset13 (pc-relative, even)
 * - `U`      rd, imm20 (the upper 20 bits)
 * - `JAL`    rd, offset21 (pc-relative, even)
 * - `JALR`   rd, imm12(rs1)
 * - `CSR`    rd, csr, rs1
 * - `CSRI`   rd, csr, uimm5
 * - `AMO`    rd, rs2, (rs1)  with .aq/.rl suffixes from bits 26/25
 * - `LR`     rd, (rs1)       with .aq/.rl suffixes
 * - `FENCE`  pred, succ (iorw sets)
 * - `SFENCE` rs1, rs2
 * - `NONE`   no operands
 */
export type Format =
  | 'R' | 'I' | 'SHIFT' | 'LOAD' | 'STORE' | 'BRANCH' | 'U' | 'JAL' | 'JALR'
  | 'CSR' | 'CSRI' | 'AMO' | 'LR' | 'FENCE' | 'SFENCE' | 'NONE';

export type Extension = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'Priv';

export interface InsnDef {
  readonly op: Op;
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  readonly format: Format;
  readonly ext: Extension;
}

const OPC = 0x7f;
const F3 = 0x707f;
const F7 = 0xfe00707f;
const AMO_MASK = 0xf800707f; // funct5 + funct3 + opcode; aq/rl (bits 26/25) are free
const row = (op: Op, name: string, match: number, mask: number, format: Format, ext: Extension): InsnDef =>
  ({ op, name, match: match >>> 0, mask: mask >>> 0, format, ext });
const r = (op: Op, name: string, f7: number, f3: number, ext: Extension = 'I') =>
  row(op, name, (f7 << 25) | (f3 << 12) | 0x33, F7, 'R', ext);
const amo = (op: Op, name: string, f5: number) =>
  row(op, name, (f5 << 27) | (2 << 12) | 0x2f, AMO_MASK, 'AMO', 'A');

export const ISA: readonly InsnDef[] = [
  row(Op.LUI, 'lui', 0x37, OPC, 'U', 'I'),
  row(Op.AUIPC, 'auipc', 0x17, OPC, 'U', 'I'),
  row(Op.JAL, 'jal', 0x6f, OPC, 'JAL', 'I'),
  row(Op.JALR, 'jalr', 0x67, F3, 'JALR', 'I'),
  row(Op.BEQ, 'beq', 0x0063, F3, 'BRANCH', 'I'),
  row(Op.BNE, 'bne', 0x1063, F3, 'BRANCH', 'I'),
  row(Op.BLT, 'blt', 0x4063, F3, 'BRANCH', 'I'),
  row(Op.BGE, 'bge', 0x5063, F3, 'BRANCH', 'I'),
  row(Op.BLTU, 'bltu', 0x6063, F3, 'BRANCH', 'I'),
  row(Op.BGEU, 'bgeu', 0x7063, F3, 'BRANCH', 'I'),
  row(Op.LB, 'lb', 0x0003, F3, 'LOAD', 'I'),
  row(Op.LH, 'lh', 0x1003, F3, 'LOAD', 'I'),
  row(Op.LW, 'lw', 0x2003, F3, 'LOAD', 'I'),
  row(Op.LBU, 'lbu', 0x4003, F3, 'LOAD', 'I'),
  row(Op.LHU, 'lhu', 0x5003, F3, 'LOAD', 'I'),
  row(Op.SB, 'sb', 0x0023, F3, 'STORE', 'I'),
  row(Op.SH, 'sh', 0x1023, F3, 'STORE', 'I'),
  row(Op.SW, 'sw', 0x2023, F3, 'STORE', 'I'),
  row(Op.ADDI, 'addi', 0x0013, F3, 'I', 'I'),
  row(Op.SLTI, 'slti', 0x2013, F3, 'I', 'I'),
  row(Op.SLTIU, 'sltiu', 0x3013, F3, 'I', 'I'),
  row(Op.XORI, 'xori', 0x4013, F3, 'I', 'I'),
  row(Op.ORI, 'ori', 0x6013, F3, 'I', 'I'),
  row(Op.ANDI, 'andi', 0x7013, F3, 'I', 'I'),
  row(Op.SLLI, 'slli', 0x00001013, F7, 'SHIFT', 'I'),
  row(Op.SRLI, 'srli', 0x00005013, F7, 'SHIFT', 'I'),
  row(Op.SRAI, 'srai', 0x40005013, F7, 'SHIFT', 'I'),
  r(Op.ADD, 'add', 0x00, 0),
  r(Op.SUB, 'sub', 0x20, 0),
  r(Op.SLL, 'sll', 0x00, 1),
  r(Op.SLT, 'slt', 0x00, 2),
  r(Op.SLTU, 'sltu', 0x00, 3),
  r(Op.XOR, 'xor', 0x00, 4),
  r(Op.SRL, 'srl', 0x00, 5),
  r(Op.SRA, 'sra', 0x20, 5),
  r(Op.OR, 'or', 0x00, 6),
  r(Op.AND, 'and', 0x00, 7),
  // FENCE ignores fm/rs1/rd as the spec asks of implementations ("reserved for future use").
  row(Op.FENCE, 'fence', 0x000f, F3, 'FENCE', 'I'),
  row(Op.FENCE_I, 'fence.i', 0x100f, F3, 'NONE', 'Zifencei'),
  row(Op.ECALL, 'ecall', 0x00000073, 0xffffffff, 'NONE', 'I'),
  row(Op.EBREAK, 'ebreak', 0x00100073, 0xffffffff, 'NONE', 'I'),
  r(Op.MUL, 'mul', 0x01, 0, 'M'),
  r(Op.MULH, 'mulh', 0x01, 1, 'M'),
  r(Op.MULHSU, 'mulhsu', 0x01, 2, 'M'),
  r(Op.MULHU, 'mulhu', 0x01, 3, 'M'),
  r(Op.DIV, 'div', 0x01, 4, 'M'),
  r(Op.DIVU, 'divu', 0x01, 5, 'M'),
  r(Op.REM, 'rem', 0x01, 6, 'M'),
  r(Op.REMU, 'remu', 0x01, 7, 'M'),
  // LR.W requires rs2 = 0.
  row(Op.LR_W, 'lr.w', 0x1000202f, 0xf9f0707f, 'LR', 'A'),
  amo(Op.SC_W, 'sc.w', 0x03),
  amo(Op.AMOSWAP_W, 'amoswap.w', 0x01),
  amo(Op.AMOADD_W, 'amoadd.w', 0x00),
  amo(Op.AMOXOR_W, 'amoxor.w', 0x04),
  amo(Op.AMOAND_W, 'amoand.w', 0x0c),
  amo(Op.AMOOR_W, 'amoor.w', 0x08),
  amo(Op.AMOMIN_W, 'amomin.w', 0x10),
  amo(Op.AMOMAX_W, 'amomax.w', 0x14),
  amo(Op.AMOMINU_W, 'amominu.w', 0x18),
  amo(Op.AMOMAXU_W, 'amomaxu.w', 0x1c),
  row(Op.CSRRW, 'csrrw', 0x1073, F3, 'CSR', 'Zicsr'),
  row(Op.CSRRS, 'csrrs', 0x2073, F3, 'CSR', 'Zicsr'),
  row(Op.CSRRC, 'csrrc', 0x3073, F3, 'CSR', 'Zicsr'),
  row(Op.CSRRWI, 'csrrwi', 0x5073, F3, 'CSRI', 'Zicsr'),
  row(Op.CSRRSI, 'csrrsi', 0x6073, F3, 'CSRI', 'Zicsr'),
  row(Op.CSRRCI, 'csrrci', 0x7073, F3, 'CSRI', 'Zicsr'),
  row(Op.MRET, 'mret', 0x30200073, 0xffffffff, 'NONE', 'Priv'),
  row(Op.SRET, 'sret', 0x10200073, 0xffffffff, 'NONE', 'Priv'),
  row(Op.WFI, 'wfi', 0x10500073, 0xffffffff, 'NONE', 'Priv'),
  row(Op.SFENCE_VMA, 'sfence.vma', 0x12000073, 0xfe007fff, 'SFENCE', 'Priv'),
];

/** The row of each Op, indexed by Op. */
export const ISA_BY_OP: readonly InsnDef[] = (() => {
  const byOp: InsnDef[] = [];
  for (const d of ISA) byOp[d.op] = d;
  return byOp;
})();

/** Rows by mnemonic, for the assembler. */
export const ISA_BY_NAME: ReadonlyMap<string, InsnDef> = new Map(ISA.map((d) => [d.name, d]));

/** Formats whose instructions write rd (before rd = x0 is discarded). */
export function writesRd(format: Format): boolean {
  switch (format) {
    case 'R': case 'I': case 'SHIFT': case 'LOAD': case 'U': case 'JAL': case 'JALR':
    case 'CSR': case 'CSRI': case 'AMO': case 'LR':
      return true;
    default:
      return false;
  }
}

// ---- field extraction, shared by decoder users (executor, disassembler) ----

export const rdOf = (w: number): number => (w >>> 7) & 31;
export const rs1Of = (w: number): number => (w >>> 15) & 31;
export const rs2Of = (w: number): number => (w >>> 20) & 31;
export const immI = (w: number): number => w >> 20;
export const immS = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 31);
export const immB = (w: number): number =>
  ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) | (((w >>> 8) & 15) << 1);
export const immU = (w: number): number => w & 0xfffff000;
export const immJ = (w: number): number =>
  ((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 1023) << 1);
export const csrOf = (w: number): number => w >>> 20;

// ---- field insertion, for the assembler ----

export const encR = (d: InsnDef, rd: number, rs1: number, rs2: number): number =>
  (d.match | (rd << 7) | (rs1 << 15) | (rs2 << 20)) >>> 0;
export const encI = (d: InsnDef, rd: number, rs1: number, imm: number): number =>
  (d.match | (rd << 7) | (rs1 << 15) | ((imm & 0xfff) << 20)) >>> 0;
export const encS = (d: InsnDef, rs1: number, rs2: number, imm: number): number =>
  (d.match | ((imm & 31) << 7) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 127) << 25)) >>> 0;
export const encB = (d: InsnDef, rs1: number, rs2: number, off: number): number =>
  (d.match | (((off >> 11) & 1) << 7) | (((off >> 1) & 15) << 8) | (rs1 << 15) | (rs2 << 20) |
    (((off >> 5) & 63) << 25) | (((off >> 12) & 1) << 31)) >>> 0;
export const encU = (d: InsnDef, rd: number, imm20: number): number =>
  (d.match | (rd << 7) | ((imm20 & 0xfffff) << 12)) >>> 0;
export const encJ = (d: InsnDef, rd: number, off: number): number =>
  (d.match | (rd << 7) | (((off >> 12) & 255) << 12) | (((off >> 11) & 1) << 20) |
    (((off >> 1) & 1023) << 21) | (((off >> 20) & 1) << 31)) >>> 0;
