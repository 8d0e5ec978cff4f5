// The QEMU side of the differential suite: how each guest runs on qemu-system-riscv32, the known
// places where QEMU 7.2 departs from the RISC-V spec (and how its output is turned into the
// spec's), and golden instruction traces (recording from QEMU's per-instruction CPU log, and the
// compact text format they are committed in). Used by differential.test.ts, trace.test.ts,
// record.ts and bench/cpu.ts.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This directory: next to this module, or (when bundled elsewhere) under the working directory. */
export const GUESTS_DIR = [dirname(fileURLToPath(import.meta.url)), join(process.cwd(), 'test', 'guests')]
  .find((d) => existsSync(join(d, 'elf'))) ?? join(process.cwd(), 'test', 'guests');
export const ELF_DIR = join(GUESTS_DIR, 'elf');
export const EXPECTED_DIR = join(GUESTS_DIR, 'expected');
export const TRACES_DIR = join(GUESTS_DIR, 'traces');

export const QEMU = 'qemu-system-riscv32';

/**
 * QEMU 7.2's generic rv32 CPU trimmed to RV32IMA + Zicsr + Zifencei with M/S/U and Sv32: no C,
 * F, D, H, V, Sstc, debug triggers or Zihintpause. PMP off: with PMP on and no entries QEMU
 * denies every S/U access, and this machine has no PMP.
 */
export const QEMU_CPU = 'rv32,c=off,f=off,d=off,h=off,v=off,pmp=off,sstc=off,debug=off,Zihintpause=off';

/** `-icount shift=0`: one instruction = 1 ns of virtual time, so counters are exact. */
export const QEMU_ICOUNT = 'shift=0,sleep=off';

/** The programs that run on QEMU's `spike` board (HTIF) instead of `virt`. */
const SPIKE_PROGRAMS = new Set(['htif']);

export function qemuMachine(program: string): 'virt' | 'spike' {
  return SPIKE_PROGRAMS.has(program) ? 'spike' : 'virt';
}

/** The whole command line (after the binary) that runs one guest ELF on QEMU. */
export function qemuArgs(program: string, elfPath: string, extra: readonly string[] = []): string[] {
  return [
    '-machine', qemuMachine(program), '-cpu', QEMU_CPU, '-bios', 'none', '-nographic',
    '-icount', QEMU_ICOUNT, ...extra, '-kernel', elfPath,
  ];
}

let qemuVersionCache: string | null | undefined;

/** "7.2.22" or null when qemu-system-riscv32 is not installed. */
export function qemuVersion(): string | null {
  if (qemuVersionCache !== undefined) return qemuVersionCache;
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const m = r.status === 0 ? /version (\d+\.\d+\.\d+)/.exec(r.stdout) : null;
  qemuVersionCache = m ? m[1] : null;
  return qemuVersionCache;
}

export function hasQemu(): boolean {
  return qemuVersion() !== null;
}

export interface QemuRun {
  /** Everything the guest sent to the UART (latin1). */
  output: string;
  /** QEMU's exit status (the finisher's or HTIF's code); -1 if it was killed. */
  exitCode: number;
  timedOut: boolean;
  stderr: string;
}

export function runQemu(program: string, elfPath: string, extra: readonly string[] = [], timeoutMs = 60_000): QemuRun {
  const r = spawnSync(QEMU, qemuArgs(program, elfPath, extra), {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return {
    output: r.stdout ? r.stdout.toString('latin1') : '',
    exitCode: r.status ?? -1,
    timedOut: timedOut || r.signal !== null,
    stderr: r.stderr ? r.stderr.toString('utf8') : '',
  };
}

/** Every guest program with a committed ELF, by name. */
export function guestPrograms(): string[] {
  if (!existsSync(ELF_DIR)) return [];
  return readdirSync(ELF_DIR)
    .filter((f) => f.endsWith('.elf'))
    .map((f) => f.slice(0, -'.elf'.length))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Known differences between QEMU 7.2 and the spec

export interface KnownDifference {
  readonly id: string;
  /** What QEMU 7.2 does. */
  readonly qemu: string;
  /** The spec's rule (what the expected files and this machine follow). */
  readonly spec: string;
  /** program -> the checks (as the guest names them) that QEMU fails because of it. */
  readonly checks: Readonly<Record<string, readonly string[]>>;
}

/**
 * The table of README.md, as data. A guest prints `ok   <check>` or `FAIL <check>[: details]`;
 * on QEMU the checks below print FAIL, and the spec's expectation is `ok   <check>`.
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'amo-misaligned-cause',
    qemu: 'a misaligned AMO raises load address misaligned (cause 4)',
    spec: 'an AMO raises store/AMO exceptions: misaligned AMO is cause 6, store/AMO address misaligned (priv. spec, mcause table; A extension: misaligned AMOs raise an address-misaligned or access-fault exception)',
    checks: { amo: ['misaligned amoadd.w: mcause 6'] },
  },
  {
    id: 'sc-misaligned-no-trap',
    qemu: 'a misaligned SC.W without a matching reservation fails (rd = 1) instead of trapping',
    spec: '"For LR and SC, the A extension requires that the address held in rs1 be naturally aligned ... If the address is not naturally aligned, an address-misaligned exception or an access-fault exception will be generated" (unpriv. spec, Zalrsc)',
    checks: { amo: ['misaligned sc.w: mcause 6', 'misaligned sc.w: rd unchanged'] },
  },
  {
    id: 'amo-fault-cause',
    qemu: 'an AMO to a read-only page raises load page fault (13); an AMO to unmapped physical memory raises load access fault (5)',
    spec: 'AMOs raise store/AMO exceptions: store/AMO page fault (15), store/AMO access fault (7); an AMO needs write permission (priv. spec, mcause table; Sv32 translation, step 5)',
    checks: {
      sv32: ['S amoadd to a read-only page: cause'],
      traps: ['AMO to unmapped physical memory: store/AMO access fault (7)'],
    },
  },
  {
    id: 'walk-access-fault',
    qemu: 'a page-table walk whose PTE read hits no memory raises a page fault (13/15; 12 for fetches)',
    spec: '"If accessing pte violates a PMA or PMP check, raise an access-fault exception corresponding to the original access type" (priv. spec, Sv32 virtual address translation, step 2): load access fault (5), store/AMO access fault (7), fetch access fault (1)',
    checks: {
      sv32: [
        'load whose page-table walk reads unmapped memory: load access fault',
        'store whose page-table walk reads unmapped memory: store access fault',
      ],
    },
  },
  {
    id: 'jal-branch-misaligned-tval',
    qemu: 'a taken JAL or branch to a misaligned target writes mtval with the start of the translation block (a stale pc), not the target',
    spec: 'instruction-address-misaligned: mtval = the misaligned target address ("mtval is written with the faulting virtual address", priv. spec 3.1.16); JALR (which QEMU gets right) shows the same rule',
    checks: {
      jumps: [
        'jal to pc+6: mtval = target',
        'jal to pc+2: mtval = target',
        'taken beq to pc+6: mtval = target',
        'taken blt to pc+2: mtval = target',
      ],
    },
  },
  {
    id: 'mpp-warl',
    qemu: 'mstatus.MPP keeps the reserved value 2 (H)',
    spec: 'MPP is WARL and "can hold only privilege mode x and any implemented privilege mode lower than x": 2 is not a legal value without H (priv. spec 3.1.6.1)',
    checks: { csr: ['mstatus MPP = 2 (reserved) is not kept'] },
  },
  {
    id: 'xepc-low-bits',
    qemu: 'mepc/sepc keep bits 1:0 as written',
    spec: '"On implementations that support only IALIGN=32, the two low bits (mepc[1:0]) are always zero" (priv. spec 3.1.14, and the same for sepc)',
    checks: { csr: ['mepc[1:0] read 0 (IALIGN = 32)', 'sepc[1:0] read 0 (IALIGN = 32)'] },
  },
  {
    id: 'vs-lcof-interrupt-bits',
    qemu: 'with H and Sscofpmf off, the VS-level interrupt bits (2, 6, 10) and LCOFI (13) are still writable in mie, mip and mideleg (and show in sie/sip)',
    spec: 'bits of mip/mie/mideleg for interrupts that are not implemented are read-only zero; VSSI/VSTI/VSEI exist only with H, LCOFI only with Sscofpmf (priv. spec 3.1.9, 3.1.8)',
    checks: {
      csr: [
        'mie writable bits = SSIE|MSIE|STIE|MTIE|SEIE|MEIE',
        'mideleg writable bits = SSI|STI|SEI',
        'sie = mie & mideleg',
        'sie write clears the delegated mie bits',
        'mip: M writes SSIP|STIP|SEIP',
        'sip write clears only SSIP',
      ],
    },
  },
  {
    id: 'medeleg-11',
    qemu: 'medeleg bit 11 (environment call from M) is writable',
    spec: '"For exceptions that cannot occur in less privileged modes, the corresponding medeleg bits should be read-only zero. In particular, medeleg[11] is read-only zero." (priv. spec 3.1.8)',
    checks: { csr: ['medeleg[11] (ecall from M) reads 0'] },
  },
  {
    id: 'instret-write',
    qemu: 'after `csrw minstret, x` the next instruction reads x + 1 (the writing instruction is counted too); a write to minstret does not carry into minstreth',
    spec: '"a value written to instret by one instruction will be the value read by the following instruction" (unpriv. spec, Zicsr: the write is done instead of the increment); minstret/minstreth are one 64-bit counter (priv. spec 3.1.11)',
    checks: {
      csr: [
        'csrw minstret then csrr reads the written value',
        'csrw minstret, nop, csrr reads value + 1',
        'minstret carries into minstreth',
      ],
    },
  },
  {
    id: 'trap-retires',
    qemu: 'with -icount, ECALL, EBREAK and illegal instructions increment minstret (a faulting load does not)',
    spec: '"Instructions that cause synchronous exceptions, including ECALL and EBREAK, are not considered to retire and hence do not increment the instret CSR" (unpriv. spec, Zicntr; priv. spec 3.3.1)',
    checks: {
      csr: [
        'ecall does not retire (minstret +2: csrr, li)',
        'ebreak does not retire (minstret +1: csrr)',
        'illegal instruction does not retire',
      ],
    },
  },
  {
    id: 'interrupt-priority',
    qemu: 'without AIA, the lowest-numbered pending and enabled interrupt is taken first (SSI before MSI before MTI)',
    spec: '"Multiple simultaneous interrupts destined for M-mode are handled in the following decreasing priority order: MEI, MSI, MTI, SEI, SSI, STI" (priv. spec 3.1.9)',
    checks: {
      interrupts: [
        'priority: machine software first',
        'priority: then machine timer',
        'priority: then supervisor software',
      ],
    },
  },
  {
    id: 'xret-mprv',
    qemu: 'MRET/SRET to S or U leave mstatus.MPRV set',
    spec: '"An MRET or SRET instruction that changes the privilege mode to a mode less privileged than M also sets MPRV=0" (priv. spec 1.12, 3.1.6.3)',
    checks: { traps: ['mret to S clears MPRV', 'sret to S clears MPRV'] },
  },
];

export interface SpecExpectation {
  output: string;
  exitCode: number;
  /** Ids of the known differences QEMU showed in this run. */
  applied: string[];
  /** FAIL lines of QEMU's output that no known difference explains. */
  unexplained: string[];
  /** Known checks of this program that QEMU did not fail. */
  notObserved: string[];
}

function checkName(line: string): string {
  const body = line.slice(5);
  const colon = body.indexOf(': got ');
  return colon >= 0 ? body.slice(0, colon) : body;
}

/**
 * The spec's expected output and exit status for one program, from QEMU's: each FAIL line of a
 * known difference becomes the `ok` line the spec gives, and the failure count (the guest's exit
 * status) drops by one for each.
 */
export function specExpectation(program: string, run: { output: string; exitCode: number }): SpecExpectation {
  const known = new Map<string, string>();
  for (const d of KNOWN_DIFFERENCES) for (const c of d.checks[program] ?? []) known.set(c, d.id);
  const applied = new Set<string>();
  const seen = new Set<string>();
  const unexplained: string[] = [];
  let fixed = 0;
  const lines = run.output.split('\n').map((line) => {
    if (!line.startsWith('FAIL ')) return line;
    const name = checkName(line);
    const id = known.get(name);
    if (id === undefined) {
      unexplained.push(line);
      return line;
    }
    applied.add(id);
    seen.add(name);
    fixed++;
    return `ok   ${name}`;
  });
  const notObserved = [...known.keys()].filter((c) => !seen.has(c));
  // The runtime exits with min(failures, 100); HTIF and hand-written programs have no checks.
  const exitCode = fixed > 0 && run.exitCode < 100 ? run.exitCode - fixed : run.exitCode;
  return { output: lines.join('\n'), exitCode, applied: [...applied].sort(), unexplained, notObserved };
}

/** The committed expectation of one program (expected/<name>.json next to <name>.out). */
export interface ExpectedMeta {
  program: string;
  exitCode: number;
  qemu: { version: string; machine: string; exitCode: number; knownDifferences: string[] };
}

// ---------------------------------------------------------------------------------------------
// ELF images (just enough to know the instruction word at a pc)

export interface Image {
  entry: number;
  /** Reads the little-endian word at a virtual address of a loaded segment, or null. */
  word(addr: number): number | null;
  /** The address of a symbol, or null. */
  symbol(name: string): number | null;
  /** The file offset that holds the byte at a virtual address of a loaded segment, or null. */
  offsetOf(addr: number): number | null;
}

export function readImage(bytes: Uint8Array): Image {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const shoff = dv.getUint32(32, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const segs: { vaddr: number; off: number; filesz: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (dv.getUint32(p, true) !== 1) continue; // PT_LOAD
    segs.push({ vaddr: dv.getUint32(p + 8, true), off: dv.getUint32(p + 4, true), filesz: dv.getUint32(p + 16, true) });
  }
  const symbols = new Map<string, number>();
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * shentsize;
    if (dv.getUint32(s + 4, true) !== 2) continue; // SHT_SYMTAB
    const off = dv.getUint32(s + 16, true);
    const size = dv.getUint32(s + 20, true);
    const strtab = shoff + dv.getUint32(s + 24, true) * shentsize;
    const stroff = dv.getUint32(strtab + 16, true);
    for (let k = 0; k < size; k += 16) {
      let n = stroff + dv.getUint32(off + k, true);
      let name = '';
      while (bytes[n] !== 0) name += String.fromCharCode(bytes[n++]);
      if (name) symbols.set(name, dv.getUint32(off + k + 4, true));
    }
  }
  return {
    entry,
    word(addr: number): number | null {
      for (const s of segs) {
        if (addr >= s.vaddr && addr + 4 <= s.vaddr + s.filesz) return dv.getUint32(s.off + (addr - s.vaddr), true);
      }
      return null;
    },
    symbol: (name: string) => symbols.get(name) ?? null,
    offsetOf(addr: number): number | null {
      for (const s of segs) if (addr >= s.vaddr && addr < s.vaddr + s.filesz) return s.off + (addr - s.vaddr);
      return null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Golden traces

/** One executed instruction: where, the register it wrote (0 = none) and the value, whether it trapped. */
export interface GoldenStep {
  pc: number;
  rd: number;
  value: number;
  trapped: boolean;
}

/** The destination register an RV32IMA/Zicsr instruction writes, or 0 if it writes none. */
export function destReg(word: number): number {
  const opcode = word & 0x7f;
  const rd = (word >>> 7) & 31;
  switch (opcode) {
    case 0x37: case 0x17: case 0x6f: case 0x67: case 0x03: case 0x13: case 0x33: case 0x2f:
      return rd;
    case 0x73: // SYSTEM: CSR instructions have funct3 != 0
      return ((word >>> 12) & 7) !== 0 ? rd : 0;
    default:
      return 0;
  }
}

/**
 * Turns QEMU's `-singlestep -d cpu,int,nochain` log (the CPU state before every instruction,
 * and a line for every trap) into steps, from the first instruction at the ELF's entry on (QEMU's
 * reset vector at 0x1000 comes first). The value an instruction wrote is read from the state
 * before the next one; the last instruction, whose successor is never dumped, gets no value.
 */
export function parseQemuCpuLog(log: string, image: Image): GoldenStep[] {
  const pcs: number[] = [];
  const regs: Uint32Array[] = [];
  const trapsAfter = new Map<number, number>(); // block index -> epc of a synchronous trap
  let cur: Uint32Array | null = null;
  for (const line of log.split('\n')) {
    if (line.startsWith(' pc ')) {
      pcs.push(parseInt(line.slice(4).trim(), 16) >>> 0);
      cur = new Uint32Array(32);
      regs.push(cur);
    } else if (line.startsWith(' x') && cur) {
      const re = /x(\d+)\/\S+\s+([0-9a-f]{8})/g;
      for (let m = re.exec(line); m; m = re.exec(line)) cur[Number(m[1])] = parseInt(m[2], 16) >>> 0;
    } else if (line.startsWith('riscv_cpu_do_interrupt:')) {
      const m = /async:(\d), cause:([0-9a-f]+), epc:0x([0-9a-f]+)/.exec(line);
      if (m && m[1] === '0' && pcs.length > 0) trapsAfter.set(pcs.length - 1, parseInt(m[3], 16) >>> 0);
    }
  }
  // Under -icount an instruction that touches MMIO is abandoned and re-executed once its block
  // is recompiled for I/O, so QEMU dumps it twice: the same pc, the same registers and no trap
  // in between. The first dump is not an executed instruction.
  const sameRegs = (a: Uint32Array, b: Uint32Array) => a.every((v, k) => v === b[k]);
  for (let i = pcs.length - 2; i >= 0; i--) {
    if (pcs[i] === pcs[i + 1] && !trapsAfter.has(i) && sameRegs(regs[i], regs[i + 1])) {
      pcs.splice(i, 1);
      regs.splice(i, 1);
      const shifted = new Map<number, number>();
      for (const [k, v] of trapsAfter) shifted.set(k > i ? k - 1 : k, v);
      trapsAfter.clear();
      for (const [k, v] of shifted) trapsAfter.set(k, v);
    }
  }
  const start = pcs.indexOf(image.entry);
  if (start < 0) throw new Error('the log never reaches the ELF entry point');
  const steps: GoldenStep[] = [];
  for (let i = start; i < pcs.length; i++) {
    const pc = pcs[i];
    const trapped = trapsAfter.get(i) === pc;
    const word = image.word(pc);
    if (word === null) throw new Error(`pc ${pc.toString(16)} is outside the ELF's loaded segments`);
    const rd = trapped ? 0 : destReg(word);
    if (rd !== 0 && i + 1 < pcs.length) steps.push({ pc, rd, value: regs[i + 1][rd], trapped });
    else steps.push({ pc, rd: 0, value: 0, trapped });
  }
  return steps;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/**
 * The committed form: a comment header, then one line per instruction: `pc` (8 hex digits),
 * then ` xN=value` if it wrote a register, or ` trap` if it trapped. Stored gzipped.
 */
export function formatTrace(steps: readonly GoldenStep[], header: readonly string[]): string {
  const out = header.map((h) => `# ${h}`);
  for (const s of steps) {
    if (s.trapped) out.push(`${hex8(s.pc)} trap`);
    else if (s.rd !== 0) out.push(`${hex8(s.pc)} x${s.rd}=${hex8(s.value)}`);
    else out.push(hex8(s.pc));
  }
  return out.join('\n') + '\n';
}

export function parseTrace(text: string): GoldenStep[] {
  const steps: GoldenStep[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [pcText, rest] = line.split(' ');
    const pc = parseInt(pcText, 16) >>> 0;
    if (rest === undefined) steps.push({ pc, rd: 0, value: 0, trapped: false });
    else if (rest === 'trap') steps.push({ pc, rd: 0, value: 0, trapped: true });
    else {
      const m = /^x(\d+)=([0-9a-f]{8})$/.exec(rest);
      if (!m) throw new Error(`bad trace line: ${line}`);
      steps.push({ pc, rd: Number(m[1]), value: parseInt(m[2], 16) >>> 0, trapped: false });
    }
  }
  return steps;
}

/** The programs with a golden trace: short, and clear of every known QEMU difference. */
export const TRACED_PROGRAMS = ['hello', 'trapflow', 'sv32walk', 'mext', 'rv32i'] as const;
