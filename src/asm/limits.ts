// The assembler's limits on what one input may make it do: each is reported as an error at the
// statement that reaches it (file:line:col), so hostile input ends in one error line, not in a
// hang, an exhausted stack or an allocation the host cannot make.

/** Macros expanding inside macros (GNU as: max_macro_nest, 100). */
export const MAX_MACRO_DEPTH = 100;

/**
 * Lines that macro expansion and `.include` may produce in one file: a macro that calls another
 * twice, nested twenty deep (or a file including the next one twice, twenty files deep), would
 * otherwise expand to a million lines and run for minutes.
 */
export const MAX_EXPANDED_LINES = 100_000;

/**
 * Bytes of output (all sections of one file, .bss included): 64 MiB, the default board's RAM;
 * a program needs far less, and making more would take the host seconds and its memory.
 */
export const MAX_OUTPUT_BYTES = 1 << 26;

/** The largest alignment (`.balign` bytes; `.align`/`.p2align` take its log2, 16). */
export const MAX_ALIGN = 1 << 16;

/**
 * How deep an expression may nest (parentheses, unary operators, and the operator tree a long
 * chain of binary operators builds): the parser and the evaluator recurse that deep.
 */
export const MAX_EXPR_NESTING = 256;
