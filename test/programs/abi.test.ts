// programs/lib/abi.s against the kernel it talks to: every constant the TypeScript kernel defines
// (system calls, errors, rights, slots, object types, thread and fault states, the address space,
// the UART) has the same value in abi.s; every opcode in abi.s is the one docs/abi.md gives, and
// the kernel's objects accept exactly the opcodes abi.s lists for them (one more is E_BAD_OPCODE).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAP_SLOTS } from '../../src/kernel/captable';
import { ERROR_CODES } from '../../src/kernel/errors';
import { ANY_FROM, ANY_TO, STACK_SIZE, STACK_TOP, UTCB_BASE } from '../../src/kernel/kernel';
import { Init, PROGRAM_BASE } from '../../src/kernel/init';
import { ObjType, RIGHT_DELEGATE, RIGHT_INVOKE, RIGHT_WRITE, RIGHTS_ALL, type KObject, type Reply } from '../../src/kernel/object';
import { FaultType } from '../../src/kernel/regionmap';
import { parseScenario } from '../../src/kernel/scenario';
import { CORE_SERVICES, parseSessionArgs } from '../../src/kernel/services/sessions';
import { SYS_EXIT, SYS_INVOKE, SYS_POLL, SYS_WAIT, SYS_YIELD } from '../../src/kernel/syscall';
import { SLOT_CPU, SLOT_MAIN_THREAD, SLOT_PARENT, SLOT_PD, SLOT_RAM, SLOT_RM, SLOT_SIGNALS } from '../../src/kernel/task';
import { ThreadState } from '../../src/kernel/thread';
import { UART_BASE, UART_IRQ } from '../../src/dev/memlayout';
import { PROGRAMS } from './guest';

/** The `.equ NAME, VALUE` lines of abi.s, in order (values are plain or hex numbers). */
function equs(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\.equ\s+([A-Z0-9_]+),\s*(-?(?:0x[0-9a-fA-F_]+|\d+))\s*(?:#.*)?$/.exec(line.trim());
    if (m === null) {
      if (line.trim().startsWith('.equ')) throw new Error(`abi.s: cannot read \`${line}'`);
      continue;
    }
    if (out.has(m[1]!)) throw new Error(`abi.s: ${m[1]} defined twice`);
    out.set(m[1]!, Number(m[2]!.replace(/_/g, '')));
  }
  return out;
}

const abi = equs(readFileSync(join(PROGRAMS, 'lib', 'abi.s'), 'utf8'));
const docs = readFileSync('docs/abi.md', 'utf8');

/** abi.s's constants whose names start with `prefix`, without it. */
function group(prefix: string): Map<string, number> {
  return new Map([...abi].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

describe('abi.s has the kernel\'s constants', () => {
  it('system calls', () => {
    expect(Object.fromEntries(group('SYS_'))).toEqual({ INVOKE: SYS_INVOKE, WAIT: SYS_WAIT, POLL: SYS_POLL, YIELD: SYS_YIELD, EXIT: SYS_EXIT });
  });

  it('error codes: every one, and E_OK', () => {
    expect(Object.fromEntries(group('E_'))).toEqual({ OK: 0, ...ERROR_CODES });
  });

  it('rights, capability slots, the table size', () => {
    expect(Object.fromEntries(group('RIGHT'))).toEqual({ _INVOKE: RIGHT_INVOKE, _WRITE: RIGHT_WRITE, _DELEGATE: RIGHT_DELEGATE, S_ALL: RIGHTS_ALL });
    expect(Object.fromEntries(group('SLOT_'))).toEqual({
      PARENT: SLOT_PARENT, PD: SLOT_PD, CPU: SLOT_CPU, RAM: SLOT_RAM, RM: SLOT_RM, SIGNALS: SLOT_SIGNALS, MAIN_THREAD: SLOT_MAIN_THREAD,
    });
    expect(abi.get('CAP_SLOTS')).toBe(CAP_SLOTS);
  });

  it('every object type CAP_INFO reports', () => {
    expect(Object.fromEntries(group('OBJ_'))).toEqual({
      PARENT: ObjType.Parent, PD: ObjType.Pd, CPU: ObjType.CpuSession, RAM: ObjType.RamSession,
      REGION_MAP: ObjType.RegionMap, RECEIVER: ObjType.SignalReceiver, CONTEXT: ObjType.SignalContext,
      THREAD: ObjType.Thread, DATASPACE: ObjType.Dataspace, LOG: ObjType.LogSession, TIMER: ObjType.TimerSession,
      IRQ: ObjType.IrqSession, RM_SESSION: ObjType.RmSession, IO_MEM: ObjType.IoMemSession, SHM: ObjType.ShmSession,
    });
  });

  it('thread states and fault states', () => {
    expect(Object.fromEntries([...group('THREAD_')].filter(([k]) => k !== 'STATE_WORDS'))).toEqual({
      READY: ThreadState.Ready, WAITING: ThreadState.Waiting, FAULTED: ThreadState.Faulted, PAUSED: ThreadState.Paused, DEAD: ThreadState.Dead,
    });
    expect(Object.fromEntries(group('FAULT_'))).toEqual({ NONE: FaultType.None, READ: FaultType.Read, WRITE: FaultType.Write, EXEC: FaultType.Exec });
  });

  it('the address space and the UART', () => {
    expect(abi.get('PROGRAM_BASE')).toBe(PROGRAM_BASE);
    expect(abi.get('ATTACH_AREA')).toBe(ANY_FROM);
    expect(abi.get('ATTACH_AREA_END')).toBe(ANY_TO);
    expect(abi.get('MAIN_STACK_TOP')).toBe(STACK_TOP);
    expect(abi.get('MAIN_STACK_SIZE')).toBe(STACK_SIZE);
    expect(abi.get('UTCB_BASE')).toBe(UTCB_BASE);
    expect(abi.get('UART_BASE')).toBe(UART_BASE);
    expect(abi.get('UART_IRQ')).toBe(UART_IRQ);
  });
});

describe('programs/c/rtcr.h (the ABI for C components) has abi.s\'s values', () => {
  it('every #define', () => {
    const header = readFileSync(join(PROGRAMS, 'c', 'rtcr.h'), 'utf8');
    const defines = [...header.matchAll(/^#define ([A-Z_]+) (-?\d+)$/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(defines.length).toBeGreaterThan(5);
    for (const [name, value] of defines) expect([name, abi.get(name)]).toEqual([name, value]);
  });
});

// ---------------------------------------------------------------- opcodes

/** Each object's opcode prefix in abi.s and the heading of its table in docs/abi.md. */
const OBJECTS: { prefix: string; docs: string }[] = [
  { prefix: 'PARENT_', docs: '**Parent**' },
  { prefix: 'PD_', docs: '**PD**' },
  { prefix: 'CPU_', docs: '**CPU**' },
  { prefix: 'RAM_', docs: '**RAM**' },
  { prefix: 'RM_', docs: '**Region map**' },
  { prefix: 'TIMER_', docs: '**Timer session**' },
  { prefix: 'SHM_', docs: '**SHM session**' },
];
/** Not opcodes, though they share a prefix. */
const NOT_OPCODES = new Set(['RM_ANY', 'RM_EXEC', 'RM_WRITE', 'RM_SESSION_CREATE']);

/** abi.s's opcodes for one object: name (without prefix) -> number. */
function opcodes(prefix: string): Map<string, number> {
  return new Map([...group(prefix)].filter(([k]) => !NOT_OPCODES.has(prefix + k)));
}

/** The `| op | name |` rows of the docs table after `heading`: name -> op. */
function docTable(heading: string): Map<string, number> {
  const at = docs.indexOf(heading);
  if (at < 0) throw new Error(`docs/abi.md has no ${heading}`);
  const rows = new Map<string, number>();
  const lines = docs.slice(at).split('\n').slice(1);
  let inTable = false;
  for (const line of lines) {
    const m = /^\| (\d+) \| `([A-Z_]+)` \|/.exec(line);
    if (m !== null) { rows.set(m[2]!, Number(m[1])); inTable = true; } else if (inTable && !line.startsWith('|')) break;
  }
  return rows;
}

describe('abi.s\'s opcodes are docs/abi.md\'s', () => {
  for (const o of OBJECTS) {
    it(o.docs, () => {
      expect(Object.fromEntries(opcodes(o.prefix))).toEqual(Object.fromEntries(docTable(o.docs)));
    });
  }

  it('the one-operation objects', () => {
    // docs/abi.md states these in prose: "op 0 `SIZE`", "op 0 `CREATE`", "op 0 `WRITE`", ...
    expect(docs).toMatch(/\*\*Dataspace\*\*: op 0 `SIZE`/);
    expect(abi.get('DS_SIZE')).toBe(0);
    expect(docs).toMatch(/\*\*RM session\*\*: op 0 `CREATE`/);
    expect(abi.get('RM_SESSION_CREATE')).toBe(0);
    expect(docs).toMatch(/\*\*LOG session\*\*: op 0 `WRITE`/);
    expect(abi.get('LOG_WRITE')).toBe(0);
    expect(docs).toMatch(/op 0 `SIGH` \(context slot\), op 1 `ACK`/);
    expect([abi.get('IRQ_SIGH'), abi.get('IRQ_ACK')]).toEqual([0, 1]);
    expect(docs).toMatch(/\*\*IO_MEM session\*\*[^\n]*\n?[^\n]*op 0 `DATASPACE`/);
    expect(abi.get('IO_MEM_DATASPACE')).toBe(0);
  });
});

describe('the kernel\'s objects accept exactly abi.s\'s opcodes', () => {
  // A component booted from hello.json (never run): its initial capabilities, and a session of
  // every core service made for it the way the parent makes them.
  const parsed = parseScenario(readFileSync(join(PROGRAMS, 'hello.json'), 'utf8'), 'hello.json');
  if (!parsed.ok) throw new Error(parsed.error);
  const created = Init.create({ scenario: parsed.scenario, readFile: (p) => new Uint8Array(readFileSync(join(PROGRAMS, p))) });
  if (!created.ok) throw new Error(created.message);
  const { kernel } = created.init;
  const task = created.init.components.get('hello')!.task;
  const thread = task.threads[0]!;
  const slot = (s: number): KObject => task.caps.get(s)!.obj;
  const session = (name: string, args: string): KObject => {
    const a = parseSessionArgs(args);
    if (!a.ok) throw new Error(a.error);
    const s = CORE_SERVICES.get(name)!(kernel, task, `test -> ${name}`, a.value);
    if (!s.ok) throw new Error(`${name}: ${s.error}`);
    return s.value;
  };
  const ioMem = session('IO_MEM', `base=${UART_BASE}, size=0x1000`);
  const invoke = (obj: KObject, op: number): Reply =>
    obj.invoke!({ kernel, task, thread, op, args: [0, 0, 0, 0, 0], rights: RIGHTS_ALL });

  const cases: [string, () => KObject, number[]][] = [
    ['Parent (slot 1)', () => slot(SLOT_PARENT), [...opcodes('PARENT_').values()]],
    ['PD (slot 2)', () => slot(SLOT_PD), [...opcodes('PD_').values()]],
    ['CPU (slot 3)', () => slot(SLOT_CPU), [...opcodes('CPU_').values()]],
    ['RAM (slot 4)', () => slot(SLOT_RAM), [...opcodes('RAM_').values()]],
    ['region map (slot 5)', () => slot(SLOT_RM), [...opcodes('RM_').values()]],
    ['Timer session', () => session('Timer', ''), [...opcodes('TIMER_').values()]],
    ['IRQ session', () => session('IRQ', 'irq=3'), [...opcodes('IRQ_').values()]],
    ['LOG session', () => session('LOG', ''), [...opcodes('LOG_').values()].filter((v) => v !== abi.get('LOG_MAX'))],
    ['RM session', () => session('RM', ''), [abi.get('RM_SESSION_CREATE')!]],
    ['dataspace (the program\'s)', () => [...task.dataspaces][0]!, [abi.get('DS_SIZE')!]],
    ['IO_MEM session', () => ioMem, [...opcodes('IO_MEM_').values()]],
    ['SHM session', () => session('SHM', 'name=abi, size=4096'), [...opcodes('SHM_').values()]],
  ];
  for (const [name, make, ops] of cases) {
    it(name, () => {
      const obj = make();
      expect(ops.length).toBeGreaterThan(0);
      // Contiguous from 0, as docs/abi.md numbers them.
      expect([...ops].sort((a, b) => a - b)).toEqual(ops.map((_, i) => i));
      for (const op of ops) expect(invoke(obj, op), `op ${op}`).not.toEqual({ kind: 'error', error: 'BAD_OPCODE' });
      expect(invoke(obj, ops.length)).toEqual({ kind: 'error', error: 'BAD_OPCODE' });
    });
  }
});
