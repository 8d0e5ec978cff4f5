// The disassembler: one instruction word -> GNU objdump's text (binutils 2.40, default aliases).
//
// Decoding goes through the ISA table (decode.ts); the aliases below are objdump's, tried in its
// order (the first one that applies wins). Operands follow objdump's spelling: signed decimal
// immediates, hex shift amounts and upper immediates, `imm(reg)` addresses, CSR names, branch
// and jump targets as `addr <symbol>`.
//
// objdump also prints `# addr <sym>` after an instruction that completes an address begun by
// an earlier `lui`/`auipc` (or based on zero/tp/gp). That needs state across words: pass a
// DisasmState (one per listing) to get those comments; without one, none are printed.

import { ISA_BY_OP, Op, type InsnDef, rdOf, rs1Of, rs2Of, immI, immS, immB, immU, immJ, csrOf } from '../cpu/isa';
import { decode } from '../cpu/decode';
import { regName } from './registers';
import { csrName } from './csr';

/** Address tracking across consecutive words, as objdump keeps it (its `hi_addr[]`). */
export class DisasmState {
  /** Value a preceding lui/auipc left in each register, or undefined. */
  readonly hi: (number | undefined)[] = new Array<number | undefined>(32).fill(undefined);
  /** Value of __global_pointer$, if the ELF defines it. */
  gp: number | undefined;
  constructor(gp?: number) { this.gp = gp; }
}

/** Formats an address objdump-style: unpadded hex, then ` <sym>` when symbolAt names it. */
export function formatTarget(addr: number, symbolAt?: (addr: number) => string | undefined): string {
  const a = addr >>> 0;
  const sym = symbolAt?.(a);
  return sym === undefined ? a.toString(16) : `${a.toString(16)} <${sym}>`;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
const csrText = (n: number): string => csrName(n) ?? hex(n);
const wordText = (w: number): string => `.4byte 0x${(w >>> 0).toString(16)}`;

/** objdump's fence set spelling: letters of i,o,r,w present, or `unknown` for the empty set. */
export function fenceSet(bits: number): string {
  let s = '';
  if (bits & 8) s += 'i';
  if (bits & 4) s += 'o';
  if (bits & 2) s += 'r';
  if (bits & 1) s += 'w';
  return s === '' ? 'unknown' : s;
}

/** The .aq/.rl suffix of an AMO/LR/SC word. */
function aqrl(w: number): string {
  const aq = (w >>> 26) & 1, rl = (w >>> 25) & 1;
  return aq && rl ? '.aqrl' : aq ? '.aq' : rl ? '.rl' : '';
}

/**
 * objdump's address comment for `imm(base)` operands and addi: consumes a pending lui/auipc
 * value of `base`, else uses gp, or zero/tp as base 0. Returns the address or undefined.
 */
function trackedAddress(state: DisasmState | undefined, base: number, offset: number): number | undefined {
  if (state === undefined) return undefined;
  const hi = state.hi[base];
  if (hi !== undefined) {
    state.hi[base] = undefined;
    return ((base !== 0 ? hi : 0) + offset) >>> 0;
  }
  if (base === 3 && state.gp !== undefined) return (state.gp + offset) >>> 0;
  if (base === 4 || base === 0) return offset >>> 0;
  return undefined;
}

/** Instruction text (mnemonic, space, operands) plus an optional tracked address. */
interface Text { s: string; addr?: number }

function fmtSystem(d: InsnDef, w: number): Text {
  if (d.format === 'SFENCE') {
    const rs1 = rs1Of(w), rs2 = rs2Of(w);
    if (rs2 === 0) return { s: rs1 === 0 ? 'sfence.vma' : `sfence.vma ${regName(rs1)}` };
    return { s: `sfence.vma ${regName(rs1)},${regName(rs2)}` };
  }
  return { s: d.name };
}

function fmtCsr(d: InsnDef, w: number): Text {
  const rd = rdOf(w), rs1 = rs1Of(w), csr = csrOf(w);
  const c = csrText(csr);
  if (d.op === Op.CSRRW && w === 0xc0001073) return { s: 'unimp' };
  if (d.format === 'CSRI') {
    const base = d.name.slice(0, -1); // csrrwi -> csrrw: objdump's alias for the immediate forms
    if (rd === 0) return { s: `csr${base.slice(4)} ${c},${rs1}` };
    return { s: `${base} ${regName(rd)},${c},${rs1}` };
  }
  if (d.op === Op.CSRRS && rs1 === 0) {
    const rdName = ({ 0xc00: 'rdcycle', 0xc01: 'rdtime', 0xc02: 'rdinstret',
      0xc80: 'rdcycleh', 0xc81: 'rdtimeh', 0xc82: 'rdinstreth' } as Record<number, string>)[csr];
    if (rdName !== undefined) return { s: `${rdName} ${regName(rd)}` };
    return { s: `csrr ${regName(rd)},${c}` };
  }
  if (rd === 0) return { s: `csr${d.name.slice(4)} ${c},${regName(rs1)}` };
  return { s: `${d.name} ${regName(rd)},${c},${regName(rs1)}` };
}

function fmtBranch(d: InsnDef, w: number, pc: number, symbolAt?: (a: number) => string | undefined): Text {
  const rs1 = rs1Of(w), rs2 = rs2Of(w);
  const t = formatTarget(pc + immB(w), symbolAt);
  const r1 = regName(rs1), r2 = regName(rs2);
  switch (d.op) {
    case Op.BEQ: if (rs2 === 0) return { s: `beqz ${r1},${t}` }; break;
    case Op.BNE: if (rs2 === 0) return { s: `bnez ${r1},${t}` }; break;
    case Op.BGE:
      if (rs1 === 0) return { s: `blez ${r2},${t}` };
      if (rs2 === 0) return { s: `bgez ${r1},${t}` };
      break;
    case Op.BLT:
      if (rs2 === 0) return { s: `bltz ${r1},${t}` };
      if (rs1 === 0) return { s: `bgtz ${r2},${t}` };
      break;
    default: break;
  }
  return { s: `${d.name} ${r1},${r2},${t}` };
}

function fmtJalr(w: number, state: DisasmState | undefined): Text {
  const rd = rdOf(w), rs1 = rs1Of(w), imm = immI(w);
  if (imm === 0) {
    // `ret` has no operands; the register-only forms comment the register's tracked value.
    if (rd === 0 && rs1 === 1) return { s: 'ret' };
    const addr = trackedAddress(state, rs1, 0);
    if (rd === 0) return { s: `jr ${regName(rs1)}`, addr };
    if (rd === 1) return { s: `jalr ${regName(rs1)}`, addr };
    return { s: `jalr ${regName(rd)},${regName(rs1)}`, addr };
  }
  const addr = trackedAddress(state, rs1, imm);
  const mem = `${imm}(${regName(rs1)})`;
  if (rd === 0) return { s: `jr ${mem}`, addr };
  if (rd === 1) return { s: `jalr ${mem}`, addr };
  return { s: `jalr ${regName(rd)},${mem}`, addr };
}

/** objdump's spelling of the I-type ALU instructions (several print under the R-type name). */
const I_ALIAS: Partial<Record<Op, string>> = {
  [Op.ADDI]: 'add', [Op.ANDI]: 'and', [Op.ORI]: 'or', [Op.XORI]: 'xor',
  [Op.SLLI]: 'sll', [Op.SRLI]: 'srl', [Op.SRAI]: 'sra',
};

function fmtI(d: InsnDef, w: number, state: DisasmState | undefined): Text {
  const rd = rdOf(w), rs1 = rs1Of(w), imm = immI(w);
  const rdN = regName(rd), rs1N = regName(rs1);
  if (d.op === Op.ADDI) {
    if (rd === 0 && rs1 === 0 && imm === 0) return { s: 'nop' };
    if (rs1 === 0) return { s: `li ${rdN},${imm}` };
    if (imm === 0) return { s: `mv ${rdN},${rs1N}` };
    return { s: `add ${rdN},${rs1N},${imm}`, addr: trackedAddress(state, rs1, imm) };
  }
  if (d.op === Op.XORI && imm === -1) return { s: `not ${rdN},${rs1N}` };
  if (d.op === Op.ANDI && imm === 255) return { s: `zext.b ${rdN},${rs1N}` };
  if (d.op === Op.SLTIU && imm === 1) return { s: `seqz ${rdN},${rs1N}` };
  return { s: `${I_ALIAS[d.op] ?? d.name} ${rdN},${rs1N},${imm}` };
}

function fmtR(d: InsnDef, w: number): Text {
  const rd = regName(rdOf(w)), rs1 = rs1Of(w), rs2 = rs2Of(w);
  if (d.op === Op.SUB && rs1 === 0) return { s: `neg ${rd},${regName(rs2)}` };
  if (d.op === Op.SLTU && rs1 === 0) return { s: `snez ${rd},${regName(rs2)}` };
  if (d.op === Op.SLT && rs2 === 0) return { s: `sltz ${rd},${regName(rs1)}` };
  if (d.op === Op.SLT && rs1 === 0) return { s: `sgtz ${rd},${regName(rs2)}` };
  return { s: `${d.name} ${rd},${regName(rs1)},${regName(rs2)}` };
}

function fmtFence(w: number): Text | undefined {
  // objdump requires rd = rs1 = 0; fm = 0 except fence.tso (fm=8, rw,rw).
  if ((w & 0x000f8f80) !== 0) return undefined;
  const fm = w >>> 28, pred = (w >>> 24) & 15, succ = (w >>> 20) & 15;
  if (fm === 8 && pred === 3 && succ === 3) return { s: 'fence.tso' };
  if (fm !== 0) return undefined;
  if (pred === 15 && succ === 15) return { s: 'fence' };
  return { s: `fence ${fenceSet(pred)},${fenceSet(succ)}` };
}

/** Text of a decoded word, or undefined where objdump would not recognise it. */
function format(d: InsnDef, w: number, pc: number, symbolAt: ((a: number) => string | undefined) | undefined,
  state: DisasmState | undefined): Text | undefined {
  const rd = rdOf(w), rs1 = rs1Of(w), rs2 = rs2Of(w);
  switch (d.format) {
    case 'R': return fmtR(d, w);
    case 'I': return fmtI(d, w, state);
    case 'SHIFT': return { s: `${I_ALIAS[d.op] ?? d.name} ${regName(rd)},${regName(rs1)},${hex(rs2)}` };
    case 'LOAD': {
      const imm = immI(w);
      return { s: `${d.name} ${regName(rd)},${imm}(${regName(rs1)})`, addr: trackedAddress(state, rs1, imm) };
    }
    case 'STORE': {
      const imm = immS(w);
      return { s: `${d.name} ${regName(rs2)},${imm}(${regName(rs1)})`, addr: trackedAddress(state, rs1, imm) };
    }
    case 'BRANCH': return fmtBranch(d, w, pc, symbolAt);
    case 'U': {
      if (state !== undefined) state.hi[rd] = ((d.op === Op.AUIPC ? pc : 0) + immU(w)) >>> 0;
      return { s: `${d.name} ${regName(rd)},${hex(immU(w) >>> 12)}` };
    }
    case 'JAL': {
      const t = formatTarget(pc + immJ(w), symbolAt);
      if (rd === 0) return { s: `j ${t}` };
      if (rd === 1) return { s: `jal ${t}` };
      return { s: `jal ${regName(rd)},${t}` };
    }
    case 'JALR': return fmtJalr(w, state);
    case 'CSR': case 'CSRI': return fmtCsr(d, w);
    case 'AMO': return { s: `${d.name}${aqrl(w)} ${regName(rd)},${regName(rs2)},(${regName(rs1)})` };
    case 'LR': return { s: `${d.name}${aqrl(w)} ${regName(rd)},(${regName(rs1)})` };
    case 'FENCE': return fmtFence(w);
    case 'SFENCE': return fmtSystem(d, w);
    case 'NONE':
      // fence.i: objdump requires every other field zero.
      if (d.op === Op.FENCE_I && w !== 0x0000100f) return undefined;
      return fmtSystem(d, w);
  }
}

/**
 * GNU objdump's text for one instruction word at `pc`, mnemonic and operands separated by one
 * space (objdump uses a tab). `symbolAt(addr)` names an address for `<...>` (e.g. `loop` or
 * `loop+0x4`); `state` enables objdump's `# addr <sym>` comments across consecutive words.
 * Words the ISA table does not decode (or objdump would not) print as `.4byte 0x...`, as objdump
 * prints undecodable words in code.
 */
export function disassemble(word: number, pc: number, symbolAt?: (addr: number) => string | undefined,
  state?: DisasmState): string {
  const w = word >>> 0;
  const op = decode(w);
  const d = op === Op.ILLEGAL ? undefined : ISA_BY_OP[op];
  const t = d === undefined ? undefined : format(d, w, pc >>> 0, symbolAt, state);
  if (t === undefined) return wordText(w);
  return t.addr === undefined ? t.s : `${t.s} # ${formatTarget(t.addr, symbolAt)}`;
}
