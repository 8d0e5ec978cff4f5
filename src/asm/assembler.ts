// Pass 1 over one input file: parse each statement, define labels and symbols, emit bytes into
// the file's section parts, and record fixups for values known only after layout.
//
// Sizes never depend on later definitions: `li`, `.space`, `.align` need values known at that
// point (as in GNU as), so offsets are final after this pass.

import { ISA_BY_NAME } from '../cpu/isa';
import { errorAt, type AsmError, type Loc } from './errors';
import { ABS, bindLocals, evaluate, type EvalContext, type Expr, type Value } from './expr';
import { parseStatement, type Operand, type Statement } from './parser';
import type { SourceStmt } from './source';
import type { Field, Imm, InsnSink } from './sink';
import { DIRECTIVES, type DirectiveTarget } from './directives';
import { MAX_OUTPUT_BYTES } from './limits';
import { PSEUDO, loadStoreSymbol } from './pseudo';
import { assembleBase } from './insn';
import {
  BSS, ByteBuf, DATA, TEXT, localLabelName, type DataFixup, type Fixup, type ListingRecord, type ObjFile,
  type SecId, type SectionPart, type SymDef,
} from './objfile';

const SUFFIXES = ['.aqrl', '.aq', '.rl'] as const;

/** Splits `amoadd.w.aqrl` into a row and its ordering suffix (AMO/LR/SC rows only). */
function lookupInsn(name: string): { def: ReturnType<typeof ISA_BY_NAME.get>; suffix: string } {
  const d = ISA_BY_NAME.get(name);
  if (d !== undefined) return { def: d, suffix: '' };
  for (const s of SUFFIXES) {
    if (!name.endsWith(s)) continue;
    const base = ISA_BY_NAME.get(name.slice(0, -s.length));
    if (base !== undefined && (base.format === 'AMO' || base.format === 'LR')) return { def: base, suffix: s };
  }
  return { def: undefined, suffix: '' };
}

export class FileAssembler implements InsnSink, DirectiveTarget {
  readonly errors: AsmError[] = [];
  // Input sections in creation order; like GNU as, .text, .data and .bss exist from the start.
  private readonly parts: SectionPart[] = [];
  private readonly partIndex = new Map<string, number>();
  private readonly fixups: Fixup[] = [];
  private readonly dataFixups: DataFixup[] = [];
  private readonly syms = new Map<string, SymDef>();
  private readonly globals = new Map<string, { loc: Loc; col: number }>();
  private readonly listing: ListingRecord[] = [];
  private readonly localCount = new Map<string, number>();
  /** Index of the current input section in `parts`. */
  private sec = 0;
  private optionStack: number[] = [];
  // the statement being assembled
  private loc!: Loc;
  private stmtStart = 0;

  constructor(private readonly name: string) {
    this.switchSection('.text', TEXT);
    this.switchSection('.data', DATA);
    this.switchSection('.bss', BSS);
    this.switchSection('.text', TEXT);
  }

  get section(): SecId { return this.parts[this.sec]!.out; }
  private get isText(): boolean { return this.parts[this.sec]!.out === TEXT; }
  private get isBss(): boolean { return this.parts[this.sec]!.out === BSS; }

  private get buf(): ByteBuf { return this.parts[this.sec]!.buf; }

  /** Bytes of every section of this file so far. */
  private get outputBytes(): number {
    return this.parts.reduce((n, p) => n + p.buf.len, 0);
  }

  /** Whether `n` more bytes fit the output limit; reports it at `col` if not. */
  private room(n: number, col: number): boolean {
    if (this.outputBytes + n <= MAX_OUTPUT_BYTES) return true;
    this.error(col, `output too large: more than ${MAX_OUTPUT_BYTES} bytes`);
    return false;
  }

  /** Assembles the statements of this file (stopping at the output limit). */
  run(stmts: readonly SourceStmt[]): ObjFile {
    for (const s of stmts) {
      this.statement(s);
      if (this.outputBytes > MAX_OUTPUT_BYTES) { this.error(0, `output too large: more than ${MAX_OUTPUT_BYTES} bytes`); break; }
    }
    // GNU as pads a code section's end to its alignment with nops (SUB_SEGMENT_ALIGN).
    this.parts.forEach((p, i) => {
      if (p.out !== TEXT || p.buf.len % p.align === 0) return;
      this.sec = i;
      this.align(p.align, undefined, undefined, 0);
    });
    return {
      name: this.name, parts: this.parts, fixups: this.fixups, dataFixups: this.dataFixups,
      syms: this.syms, globals: this.globals, listing: this.listing,
    };
  }

  private statement(s: SourceStmt): void {
    this.loc = s.loc;
    const p = parseStatement(s.text);
    if (!p.ok) { this.error(p.error.col, p.error.message); return; }
    const st = p.stmt;
    for (const l of st.labels) this.defineLabel(l.name, l.col);
    if (st.name === '') return;
    const sec = this.sec;
    this.stmtStart = this.buf.len;
    const bound: Statement = { ...st, operands: st.operands.map((o) => this.bindOperand(o)) };
    this.dispatch(bound);
    // Listing: bytes this statement added (in the section it started in).
    const size = this.sec === sec ? this.parts[sec]!.buf.len - this.stmtStart : 0;
    this.listing.push({ sec, offset: this.stmtStart, size, loc: s.loc });
  }

  private dispatch(st: Statement): void {
    const name = st.name;
    if (name.startsWith('.')) {
      const d = DIRECTIVES.get(name);
      if (d !== undefined) { d(st, this); return; }
      if (lookupInsn(name).def === undefined) { this.error(st.nameCol, `unknown directive \`${name}'`); return; }
    }
    const pseudo = PSEUDO.get(name);
    if (pseudo !== undefined) { pseudo(st, this); return; }
    const { def, suffix } = lookupInsn(name);
    if (def === undefined) { this.error(st.nameCol, `unknown mnemonic \`${name}'`); return; }
    if ((def.format === 'LOAD' || def.format === 'STORE') && st.operands[1] !== undefined && st.operands[1].kind !== 'mem') {
      loadStoreSymbol(def, st, this);
      return;
    }
    // `jal rd, target` / `jal target` and the rest: the table row's format decides.
    assembleBase(def, st, this, suffix);
  }

  // ---- labels and symbols ----

  private defineLabel(name: string, col: number): void {
    if (/^[0-9]+$/.test(name)) {
      const k = (this.localCount.get(name) ?? 0) + 1;
      this.localCount.set(name, k);
      this.syms.set(localLabelName(name, k), { kind: 'label', sec: this.sec, offset: this.buf.len, loc: this.loc, col });
      return;
    }
    const prev = this.syms.get(name);
    if (prev !== undefined) { this.duplicate(name, col, prev.loc); return; }
    this.syms.set(name, { kind: 'label', sec: this.sec, offset: this.buf.len, loc: this.loc, col });
  }

  private duplicate(name: string, col: number, first: Loc): void {
    this.error(col, `duplicate symbol \`${name}' (first defined at ${first.file}:${first.line})`);
  }

  defineEqu(name: string, e: Expr, col: number, redefine: boolean): void {
    const prev = this.syms.get(name);
    if (prev !== undefined && (prev.kind === 'label' || !redefine)) { this.duplicate(name, col, prev.loc); return; }
    const def: SymDef = { kind: 'equ', e, sec: this.sec, dot: this.buf.len, loc: this.loc, col };
    // Evaluate now when possible (GNU's .set semantics for later redefinitions).
    const r = evaluate(e, this.pass1Context());
    if (r.ok) def.value = r.value;
    this.syms.set(name, def);
  }

  declareGlobal(name: string, col: number): void {
    if (!this.globals.has(name)) this.globals.set(name, { loc: this.loc, col });
  }

  /** Binds `1b`/`1f` in an operand to the current numeric label definitions. */
  private bindOperand(o: Operand): Operand {
    const bind = (e: Expr): Expr => bindLocals(e, (n, dir, col) => {
      const k = (this.localCount.get(n) ?? 0) + (dir === 'f' ? 1 : 0);
      if (k === 0) return { k: 'local', n, dir, col };
      return { k: 'sym', name: localLabelName(n, k), col };
    });
    switch (o.kind) {
      case 'expr': return { ...o, e: bind(o.e) };
      case 'mod': return { ...o, e: bind(o.e) };
      case 'mem':
        if (o.off === null) return o;
        return { ...o, off: 'mod' in o.off ? { mod: o.off.mod, e: bind(o.off.e) } : bind(o.off) };
      default: return o;
    }
  }

  /** Symbols as known so far, section-relative. */
  private pass1Context(): EvalContext {
    const lookup = (name: string): Value | undefined => {
      const s = this.syms.get(name);
      if (s === undefined) return undefined;
      if (s.kind === 'label') return { v: s.offset, sec: s.sec };
      if (s.value !== undefined) return s.value;
      if (s.evaluating) return undefined;
      s.evaluating = true;
      const r = evaluate(s.e, { lookup, dot: { v: s.dot, sec: s.sec } });
      s.evaluating = false;
      return r.ok ? r.value : undefined;
    };
    return { lookup, dot: { v: this.buf.len, sec: this.sec } };
  }

  // ---- InsnSink / DirectiveTarget ----

  error(col: number, message: string): void {
    this.errors.push(errorAt(this.loc, col, message));
  }

  constant(e: Expr, col: number, what: string): number | undefined {
    const r = evaluate(e, this.pass1Context());
    if (!r.ok) {
      this.error(r.col ?? col, r.undefinedSymbol !== undefined
        ? `${what} must be a constant known at this point; \`${r.undefinedSymbol}' is not defined yet`
        : r.message);
      return undefined;
    }
    if (r.value.sec !== ABS) { this.error(col, `${what} must be a constant, not an address`); return undefined; }
    return r.value.v;
  }

  emit(word: number, fix?: { field: Field; imm: Imm }): void {
    if (this.isBss) { this.error(0, 'instructions are not allowed in .bss'); return; }
    const offset = this.buf.len;
    this.buf.u32(word);
    if (fix !== undefined) this.fixups.push({ sec: this.sec, offset, field: fix.field, imm: fix.imm, loc: this.loc, dot: this.stmtStart });
  }

  switchSection(name: string, out: SecId): void {
    let i = this.partIndex.get(name);
    if (i === undefined) {
      i = this.parts.length;
      this.parts.push({ name, out, buf: new ByteBuf(), align: out === TEXT ? 4 : 1 });
      this.partIndex.set(name, i);
    }
    this.sec = i;
  }

  data(size: 1 | 2 | 4, e: Expr, col: number): void {
    if (this.isBss) {
      const v = this.constant(e, col, 'a .bss value');
      if (v !== undefined && v !== 0) { this.error(col, 'non-zero data in .bss'); return; }
      this.buf.fill(size, 0);
      return;
    }
    const offset = this.buf.len;
    if (e.k === 'num') {
      this.put(size, e.v);
      return;
    }
    this.put(size, 0);
    this.dataFixups.push({ sec: this.sec, offset, size, e, col, loc: this.loc, dot: offset });
  }

  private put(size: 1 | 2 | 4, v: number): void {
    if (size === 1) this.buf.u8(v); else if (size === 2) this.buf.u16(v); else this.buf.u32(v);
  }

  insnWord(e: Expr, col: number): void {
    const v = this.constant(e, col, '.insn value');
    if (v === undefined) return;
    if (v < 0 || v > 0xffffffff || (v & 3) !== 3) { this.error(col, `.insn value must be a 32-bit instruction word: ${v}`); return; }
    this.emit(v >>> 0);
  }

  bytes(b: Uint8Array, col: number): void {
    if (this.isBss) { if (b.some((x) => x !== 0)) this.error(col, 'non-zero data in .bss'); this.buf.fill(b.length, 0); return; }
    this.buf.bytes(b);
  }

  fill(n: number, value: number, col: number): void {
    if (this.isBss && (value & 0xff) !== 0) { this.error(col, 'non-zero data in .bss'); return; }
    if (n > 1 << 28) { this.error(col, `size too large: ${n}`); return; }
    if (!this.room(n, col)) return;
    this.buf.fill(n, value);
  }

  align(bytes: number, fill: number | undefined, max: number | undefined, col: number): void {
    const part = this.parts[this.sec]!;
    const pad = (bytes - (part.buf.len % bytes)) % bytes;
    if (max !== undefined && pad > max) return;
    if (!this.room(pad, col)) return;
    if (bytes > part.align) part.align = bytes;
    if (fill === undefined && this.isText) {
      // GNU: zero bytes up to a 4-byte boundary, then nops.
      const z = pad % 4;
      part.buf.fill(z, 0);
      for (let i = 0; i < (pad - z) / 4; i++) part.buf.u32(0x00000013);
      return;
    }
    part.buf.fill(pad, fill ?? 0);
  }

  option(name: string, col: number): void {
    switch (name) {
      case 'norelax': case 'relax': case 'norvc': case 'nopic':
        return;
      case 'push': this.optionStack.push(0); return;
      case 'pop':
        if (this.optionStack.pop() === undefined) this.error(col, '.option pop without .option push');
        return;
      case 'rvc': this.error(col, '.option rvc: compressed instructions are not supported (RV32IMA)'); return;
      case 'pic': this.error(col, '.option pic is not supported (non-PIC executables only)'); return;
      default: this.error(col, `unknown .option \`${name}'`);
    }
  }
}
