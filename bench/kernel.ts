// npm run bench:kernel: the cost of a capability call round trip, a page-fault resolution and a
// context switch, each as a multiple of one plain instruction measured in the same run.
//
// Each figure comes from a guest loop; the loop's own instructions are subtracted at the plain
// instruction's measured cost. Wall time (performance.now) is allowed here, in bench/ only.

import { Init } from '../src/kernel/init';
import { parseScenario } from '../src/kernel/scenario';

const EXIT = ' li a0, 0\n li a7, 4\n ecall\n';

/** Boots the given programs (assembly text) as components and runs them to the end. */
function runGuests(programs: Record<string, string>, priority = 100): { seconds: number; instructions: number } {
  const components = Object.keys(programs).map((name) => ({ name, program: `${name}.s`, ram: '8M', priority }));
  const parsed = parseScenario(JSON.stringify({ ramMiB: 64, components }), 'bench.json');
  if (!parsed.ok) throw new Error(parsed.error);
  const created = Init.create({
    scenario: parsed.scenario,
    readFile: (p) => (programs[p.replace(/\.s$/, '')] !== undefined ? Buffer.from(programs[p.replace(/\.s$/, '')]) : undefined),
  });
  if (!created.ok) throw new Error(created.message);
  const t0 = performance.now();
  const stop = created.init.runUntilNs(1e15);
  const seconds = (performance.now() - t0) / 1000;
  if (stop !== 'exited') throw new Error(`bench guest did not exit: ${stop}`);
  for (const { task } of created.init.components.values()) {
    if (task.end?.kind !== 'exit') throw new Error(`${task.label} ended with ${JSON.stringify(task.end)}`);
  }
  const instructions = [...created.init.components.values()].reduce((n, c) => n + c.task.stats.instructions, 0);
  return { seconds, instructions };
}

/** Best of `n` runs (least disturbed by the machine's other load). */
function best(n: number, f: () => { seconds: number; instructions: number }) {
  let b = f();
  for (let i = 1; i < n; i++) {
    const r = f();
    if (r.seconds < b.seconds) b = r;
  }
  return b;
}

const PLAIN_N = 50_000_000;
const CALLS = 300_000;
const ROUNDS = 100; // x 256 pages
const YIELDS = 200_000;

const plain = `_start: li t0, ${PLAIN_N}\n1: addi t0, t0, -1\n bnez t0, 1b\n${EXIT}`;
// RAM QUOTA (slot 4, op 2): the cheapest call that reaches a service and returns two results.
const call = `_start: li s0, ${CALLS}\n1: li a0, 4\n li a1, 2\n li a7, 0\n ecall\n addi s0, s0, -1\n bnez s0, 1b\n${EXIT}`;
// Allocate 1 MiB, attach it, write every page (a fault each), detach (unmaps), repeat.
const fault = [
  '_start: li a0, 4', ' li a1, 0', ' li a2, 0x100000', ' li a7, 0', ' ecall', ' mv s1, a1',
  ` li s0, ${ROUNDS}`,
  '2: li a0, 5', ' li a1, 0', ' mv a2, s1', ' li a3, -1', ' li a4, 0', ' li a5, 0', ' li a6, 2', ' li a7, 0', ' ecall',
  ' mv s2, a1', ' mv t0, a1', ' li t1, 256',
  '1: sw t1, 0(t0)', ' li t2, 4096', ' add t0, t0, t2', ' addi t1, t1, -1', ' bnez t1, 1b',
  ' li a0, 5', ' li a1, 1', ' mv a2, s2', ' li a7, 0', ' ecall',
  ' addi s0, s0, -1', ' bnez s0, 2b', EXIT,
].join('\n');
const yielder = `_start: li s0, ${YIELDS}\n1: li a7, 3\n ecall\n addi s0, s0, -1\n bnez s0, 1b\n${EXIT}`;

const p = best(3, () => runGuests({ plain }));
const perInsn = p.seconds / p.instructions;
const c = best(3, () => runGuests({ call }));
const callCost = (c.seconds - c.instructions * perInsn) / CALLS;
const f = best(3, () => runGuests({ fault }));
const faults = ROUNDS * 256;
const faultCost = (f.seconds - f.instructions * perInsn) / faults;
const y = best(3, () => runGuests({ a: yielder, b: yielder }));
const switchCost = (y.seconds - y.instructions * perInsn) / (2 * YIELDS);

const ns = (s: number) => `${(s * 1e9).toFixed(1)} ns`;
console.log(`plain instruction:            ${ns(perInsn)}  (${(1 / perInsn / 1e6).toFixed(0)} MIPS, ${p.instructions} instructions)`);
console.log(`capability call round trip:   ${ns(callCost)}  = ${(callCost / perInsn).toFixed(0)} instructions  (${CALLS} calls)`);
console.log(`page-fault resolution:        ${ns(faultCost)}  = ${(faultCost / perInsn).toFixed(0)} instructions  (${faults} faults)`);
console.log(`context switch (yield):       ${ns(switchCost)}  = ${(switchCost / perInsn).toFixed(0)} instructions  (${2 * YIELDS} switches)`);
