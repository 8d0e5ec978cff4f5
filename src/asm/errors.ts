// Assembly errors: every one names file:line:col and carries the source line for a caret.

export interface AsmError {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  readonly message: string;
  /** The source line the error is on (without newline). */
  readonly source: string;
}

/** Where a statement came from. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  /** 0-based column of the statement's first character in `source`, or -1 when the statement
   *  text is not a substring of the source line (macro expansions): columns then point at `at`. */
  readonly colBase: number;
  /** 0-based column to use when colBase is -1 (the macro invocation). */
  readonly at: number;
  readonly source: string;
  /** Name of the macro this statement was expanded from, if any. */
  readonly macro?: string;
}

/** Builds an error at a 0-based column of the statement text. */
export function errorAt(loc: Loc, col: number, message: string): AsmError {
  const c = loc.colBase >= 0 ? loc.colBase + Math.max(0, col) : loc.at;
  const msg = loc.macro !== undefined ? `${message} (in expansion of macro \`${loc.macro}')` : message;
  return { file: loc.file, line: loc.line, col: c + 1, message: msg, source: loc.source };
}

/** GNU-style text: `file:line:col: error: message`, the source line, and a caret under col. */
export function formatError(e: AsmError): string {
  const src = e.source.replace(/\t/g, ' ');
  return `${e.file}:${e.line}:${e.col}: error: ${e.message}\n  ${src}\n  ${' '.repeat(Math.max(0, e.col - 1))}^`;
}
