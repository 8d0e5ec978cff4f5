// Source handling before parsing: lines, comments, `;` separators, `.include` and macros.
//
// The output is a flat list of statement texts, each with its location. `#` starts a comment
// (outside strings and character constants), `/* ... */` comments may span lines, `;` separates
// statements. `.include "f"` reads f through the caller's readFile (relative to the including
// file first); `.macro name args` ... `.endm` defines a macro, expanded textually wherever its
// name is used as a mnemonic (GNU's `\arg`, `\()`, `\@`, defaults, `:req`, `:vararg`, keyword
// arguments).

import { errorAt, type AsmError, type Loc } from './errors';
import { MAX_EXPANDED_LINES, MAX_MACRO_DEPTH } from './limits';

export interface SourceStmt {
  /** Statement text, comments removed. */
  readonly text: string;
  readonly loc: Loc;
}

interface MacroParam { name: string; def?: string; req: boolean; vararg: boolean }
interface Macro { name: string; params: MacroParam[]; body: { text: string; line: number }[]; file: string }

export interface SourceOptions {
  readFile?: (path: string) => string | undefined;
}


/** Directory part of a '/'-separated path ('' when none). */
function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

/**
 * Splits one source line into statement texts with their starting columns: removes comments,
 * splits at `;`. `inBlock` carries an open `/* ... *\/` comment across lines.
 */
export function splitLine(line: string, inBlock: { open: boolean }): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  let buf = '';
  let start = 0;
  let i = 0;
  const flush = (end: number): void => {
    void end;
    if (buf.trim() !== '') out.push({ text: buf, col: start });
    buf = '';
  };
  while (i < line.length) {
    if (inBlock.open) {
      const e = line.indexOf('*/', i);
      if (e < 0) { i = line.length; break; }
      buf += ' '.repeat(e + 2 - i);
      i = e + 2; inBlock.open = false;
      continue;
    }
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      buf += line.slice(i, j + 1); i = j + 1;
      continue;
    }
    if (c === "'") {
      // character constant: 'c, 'c', '\n, '\n'
      let j = i + 1;
      if (line[j] === '\\') j += 2; else j += 1;
      if (line[j] === "'") j++;
      buf += line.slice(i, j); i = j;
      continue;
    }
    if (c === '#') break;
    if (c === '/' && line[i + 1] === '*') { inBlock.open = true; buf += '  '; i += 2; continue; }
    if (c === ';') { flush(i); i++; start = i; continue; }
    buf += c; i++;
  }
  flush(i);
  return out;
}

/** The mnemonic of a statement text (after any labels), with its column. */
function mnemonicOf(text: string): { name: string; col: number } | undefined {
  const m = /^(?:\s*(?:[A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)\s*:)*\s*([A-Za-z_.$][A-Za-z0-9_.$]*)/.exec(text);
  if (m === null) return undefined;
  return { name: m[1]!, col: m[0].length - m[1]!.length };
}

/**
 * Splits macro arguments: commas separate; blanks separate too outside parentheses/strings
 * (unless an operator joins the two sides). Each argument keeps its start index in `s`.
 */
function splitArgsAt(s: string): { text: string; start: number }[] {
  const args: { text: string; start: number }[] = [];
  let cur = '', depth = 0, i = 0, sawSep = true, start = 0;
  const push = (): void => { args.push({ text: cur.trim(), start }); cur = ''; };
  const begin = (): void => { if (cur.trim() === '') start = i; };
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      begin();
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      cur += s.slice(i, j + 1); i = j + 1; sawSep = false; continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) { push(); i++; sawSep = true; continue; }
    if ((c === ' ' || c === '\t') && depth === 0) {
      let j = i;
      while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
      const next = s[j];
      const prev = cur.trimEnd().slice(-1);
      if (next === undefined || next === ',' || cur.trim() === '' || /[-+*/|&^<>=(~!%]/.test(prev) ||
        /[-+*/|&^<>=)%]/.test(next)) { cur += ' '; i = j; continue; }
      push(); i = j; sawSep = true; continue;
    }
    begin();
    cur += c; i++; sawSep = false;
  }
  if (cur.trim() !== '' || !sawSep || args.length > 0) push();
  return args;
}

function splitArgs(s: string): string[] {
  return splitArgsAt(s).map((a) => a.text);
}

/** Parses `.macro` operands: `name p1, p2=def, p3:req, p4:vararg`. */
function parseMacroHead(rest: string): { name: string; params: MacroParam[] } | string {
  const m = /^\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?\s*(.*)$/.exec(rest);
  if (m === null) return 'expected a macro name';
  const params: MacroParam[] = [];
  for (const p of splitArgs(m[2]!)) {
    if (p === '') continue;
    const pm = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*(?::\s*(req|vararg))?\s*(?:=\s*(.*))?$/.exec(p);
    if (pm === null) return `bad macro parameter \`${p}'`;
    params.push({ name: pm[1]!, def: pm[3], req: pm[2] === 'req', vararg: pm[2] === 'vararg' });
  }
  return { name: m[1]!, params };
}

/** Substitutes `\param`, `\()` and `\@` in one body line. */
function substitute(line: string, values: Map<string, string>, counter: number): string {
  return line.replace(/\\(\(\)|@|[A-Za-z_.$][A-Za-z0-9_.$]*)/g, (all, name: string) => {
    if (name === '()') return '';
    if (name === '@') return String(counter);
    const v = values.get(name);
    return v === undefined ? all : v;
  });
}

/** Expands source files into statements; collects errors instead of stopping at the first. */
export class SourceReader {
  readonly stmts: SourceStmt[] = [];
  readonly errors: AsmError[] = [];
  private readonly macros = new Map<string, Macro>();
  private macroCounter = 0;
  /** Lines macro expansion and .include have produced so far (MAX_EXPANDED_LINES), and whether it stopped. */
  private expandedLines = 0;
  private expansionStopped = false;

  constructor(private readonly opts: SourceOptions) {}

  /** Reads one top-level file. */
  addFile(name: string, text: string): void {
    this.readText(name, text, [name], 0);
  }

  private readText(file: string, text: string, includeStack: string[], depth: number): void {
    const lines = text.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    this.readLines(file, lines.map((t, i) => ({ text: t, line: i + 1, source: t })), includeStack, depth);
  }

  /**
   * Processes lines: collects macro bodies, expands macro uses and includes, emits the rest.
   * `source` is the line shown in errors; for macro expansions it is the invocation line.
   */
  private readLines(file: string, lines: { text: string; line: number; source: string; macro?: string; at?: number }[],
    includeStack: string[], depth: number): void {
    const block = { open: false };
    let defining: { macro: Macro; nest: number; loc: Loc } | undefined;
    for (const ln of lines) {
      if (defining !== undefined) {
        const mn = mnemonicOf(ln.text.replace(/#.*$/, ''));
        if (mn?.name === '.macro') defining.nest++;
        if (mn?.name === '.endm') {
          if (defining.nest === 0) {
            this.macros.set(defining.macro.name, defining.macro);
            defining = undefined;
            continue;
          }
          defining.nest--;
        }
        defining.macro.body.push({ text: ln.text, line: ln.line });
        continue;
      }
      for (const part of splitLine(ln.text, block)) {
        const loc: Loc = ln.macro !== undefined
          ? { file, line: ln.line, colBase: -1, at: ln.at ?? 0, source: ln.source, macro: ln.macro }
          : { file, line: ln.line, colBase: part.col, at: part.col, source: ln.source };
        const mn = mnemonicOf(part.text);
        if (mn?.name === '.macro') {
          const head = parseMacroHead(part.text.slice(mn.col + mn.name.length));
          if (typeof head === 'string') { this.errors.push(errorAt(loc, mn.col, head)); continue; }
          defining = { macro: { ...head, body: [], file }, nest: 0, loc };
          continue;
        }
        if (mn?.name === '.endm') { this.errors.push(errorAt(loc, mn.col, '.endm without .macro')); continue; }
        if (mn?.name === '.include') {
          this.include(part.text.slice(mn.col + mn.name.length), loc, mn.col, file, includeStack, depth);
          continue;
        }
        const macro = mn === undefined ? undefined : this.macros.get(mn.name);
        if (macro !== undefined && mn !== undefined) {
          // Labels before the macro name stay a statement of their own.
          const labels = part.text.slice(0, mn.col);
          if (labels.trim() !== '') this.stmts.push({ text: labels, loc });
          this.expand(macro, part.text.slice(mn.col + mn.name.length), loc, mn.col, includeStack, depth);
          continue;
        }
        this.stmts.push({ text: part.text, loc });
      }
    }
    if (defining !== undefined) this.errors.push(errorAt(defining.loc, 0, `.macro \`${defining.macro.name}' without .endm`));
  }

  private include(rest: string, loc: Loc, col: number, file: string, includeStack: string[], depth: number): void {
    const m = /^\s*"([^"]*)"\s*$/.exec(rest);
    if (m === null) { this.errors.push(errorAt(loc, col, '.include needs a quoted file name')); return; }
    const name = m[1]!;
    const candidates = name.startsWith('/') ? [name] : [dirOf(file) + name, name];
    let found: { path: string; text: string } | undefined;
    for (const p of candidates) {
      const t = this.opts.readFile?.(p);
      if (t !== undefined) { found = { path: p, text: t }; break; }
    }
    if (found === undefined) { this.errors.push(errorAt(loc, col, `.include file \`${name}' not found`)); return; }
    if (includeStack.includes(found.path)) {
      this.errors.push(errorAt(loc, col, `\`${name}' is included recursively (${[...includeStack, found.path].join(' -> ')})`));
      return;
    }
    if (this.expansionStopped) return;
    const lines = found.text.split('\n').length;
    if (this.expandedLines + lines > MAX_EXPANDED_LINES) { // files included many times over
      this.expansionStopped = true;
      this.errors.push(errorAt(loc, col, `expansion too large: more than ${MAX_EXPANDED_LINES} lines from macros and includes, including \`${name}'`));
      return;
    }
    this.expandedLines += lines;
    this.readText(found.path, found.text, [...includeStack, found.path], depth);
  }

  private expand(macro: Macro, argText: string, loc: Loc, col: number, includeStack: string[], depth: number): void {
    if (depth >= MAX_MACRO_DEPTH) {
      this.errors.push(errorAt(loc, col, `macros nested too deeply (more than ${MAX_MACRO_DEPTH}), expanding \`${macro.name}'`));
      return;
    }
    const values = new Map<string, string>();
    const argsAt = splitArgsAt(argText);
    const args = argsAt.map((a) => a.text);
    let posIdx = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const kw = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(.*)$/.exec(a);
      if (kw !== null && macro.params.some((p) => p.name === kw[1])) { values.set(kw[1]!, kw[2]!.trim()); continue; }
      const p = macro.params[posIdx];
      if (p === undefined) { this.errors.push(errorAt(loc, col, `too many arguments to macro \`${macro.name}'`)); return; }
      if (p.vararg) { values.set(p.name, argText.slice(argsAt[i]!.start).trim()); posIdx++; break; }
      if (a !== '') values.set(p.name, a);
      posIdx++;
    }
    for (const p of macro.params) {
      if (values.has(p.name)) continue;
      if (p.req) { this.errors.push(errorAt(loc, col, `missing value for required parameter \`${p.name}' of macro \`${macro.name}'`)); return; }
      values.set(p.name, p.def ?? '');
    }
    if (this.expansionStopped) return;
    if (this.expandedLines + macro.body.length > MAX_EXPANDED_LINES) {
      this.expansionStopped = true;
      this.errors.push(errorAt(loc, col, `macro expansion too large: more than ${MAX_EXPANDED_LINES} lines, expanding \`${macro.name}'`));
      return;
    }
    this.expandedLines += macro.body.length;
    const counter = this.macroCounter++;
    const lines: { text: string; line: number; source: string; macro: string; at: number }[] = [];
    for (const b of macro.body) {
      const t = substitute(b.text, values, counter);
      if (/^\s*\.exitm\b/.test(t)) break;
      lines.push({ text: t, line: loc.line, source: loc.source, macro: loc.macro ?? macro.name, at: loc.colBase >= 0 ? loc.colBase + col : loc.at });
    }
    this.readLines(loc.file, lines, includeStack, depth + 1);
  }
}
