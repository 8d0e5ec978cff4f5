// Integer register names: x0-x31 and the ILP32 ABI names (objdump prints the ABI names).

/** ABI name of each register, as objdump prints it. */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2',
  's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7',
  's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const BY_NAME: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  ABI_NAMES.forEach((n, i) => { m.set(n, i); m.set(`x${i}`, i); });
  m.set('fp', 8);
  return m;
})();

/** Register number of a name (`x5`, `t0`, `fp`), or undefined. Case-sensitive, like GNU as. */
export function regNumber(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** ABI name of register n (0..31). */
export function regName(n: number): string {
  return ABI_NAMES[n & 31]!;
}
