import { describe, expect, it } from 'vitest';
import { Htif, HTIF_SYS_EXIT, HTIF_SYS_WRITE, type HtifAction } from '../../src/dev/htif';
import { Bus } from '../../src/mmu/bus';

const RAM = 0x8000_0000;
const TOHOST = RAM + 0x1000;
const FROMHOST = RAM + 0x1040;
const BLOCK = RAM + 0x2000;
const BUF = RAM + 0x3000;

function make(withFromhost = true) {
  const fromhost = withFromhost ? FROMHOST : undefined;
  const bus = new Bus(RAM, 0x10000);
  const exits: number[] = [];
  const out: { fd: number; text: string }[] = [];
  const actions: HtifAction[] = [];
  const htif = new Htif(
    { tohost: TOHOST, fromhost },
    {
      exit: (code) => exits.push(code),
      output: (bytes, fd) => out.push({ fd, text: String.fromCharCode(...bytes) }),
    },
  );
  bus.watch(TOHOST, 8, (pa, size) => actions.push(htif.onToHostWrite(bus, pa, size)));
  return { bus, htif, exits, out, actions };
}

/** A guest's 64-bit store on RV32: low word, then high word. */
function store64(bus: Bus, pa: number, lo: number, hi: number): void {
  bus.write(pa, 4, lo);
  bus.write(pa + 4, 4, hi);
}

const word = (bus: Bus, pa: number) => bus.readRam(pa - RAM, 4);

function writeBlock(bus: Bus, words: number[]): void {
  words.forEach((w, i) => {
    bus.write(BLOCK + 8 * i, 4, w >>> 0);
    bus.write(BLOCK + 8 * i + 4, 4, w < 0 ? 0xffffffff : 0);
  });
}

function putString(bus: Bus, pa: number, s: string): void {
  for (let i = 0; i < s.length; i++) bus.write(pa + i, 1, s.charCodeAt(i));
}

describe('Htif', () => {
  it('exit 0 (riscv-tests pass: tohost = 1) on the high-word store; tohost cleared', () => {
    const { bus, exits, actions } = make();
    bus.write(TOHOST, 4, 1);
    expect(exits).toEqual([]); // the low word alone waits
    bus.write(TOHOST + 4, 4, 0);
    expect(exits).toEqual([0]);
    expect(actions).toEqual(['none', 'exit']);
    expect(word(bus, TOHOST)).toBe(0);
    expect(word(bus, TOHOST + 4)).toBe(0);
    expect(word(bus, FROMHOST)).toBe(0); // exit is not answered
  });

  it('fail: code = payload >> 1 (riscv-tests TESTNUM), up to 47 bits', () => {
    const { bus, exits } = make();
    store64(bus, TOHOST, (5 << 1) | 1, 0);
    store64(bus, TOHOST, 0xffffffff, 0x0000ffff);
    expect(exits).toEqual([5, 2 ** 47 - 1]);
  });

  it('putchar (device 1, command 1) outputs the low byte and answers in fromhost', () => {
    const { bus, out, actions } = make();
    store64(bus, TOHOST, 0x1234_5641, 0x0101_0000);
    expect(out).toEqual([{ fd: 1, text: 'A' }]);
    expect(actions).toEqual(['none', 'putchar']);
    expect(word(bus, FROMHOST)).toBe(0x141);
    expect(word(bus, FROMHOST + 4)).toBe(0x0101_0000);
    expect(word(bus, TOHOST + 4)).toBe(0);
  });

  it('SYS_write to stdout and stderr: output, return value in the block, fromhost = 1', () => {
    const { bus, out } = make();
    putString(bus, BUF, 'hello\n');
    writeBlock(bus, [HTIF_SYS_WRITE, 1, BUF, 6]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(out).toEqual([{ fd: 1, text: 'hello\n' }]);
    expect(word(bus, BLOCK)).toBe(6);
    expect(word(bus, BLOCK + 4)).toBe(0);
    expect(word(bus, FROMHOST)).toBe(1);
    expect(word(bus, FROMHOST + 4)).toBe(0);
    bus.write(FROMHOST, 4, 0);
    writeBlock(bus, [HTIF_SYS_WRITE, 2, BUF, 2]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(out[1]).toEqual({ fd: 2, text: 'he' });
    expect(word(bus, FROMHOST)).toBe(1);
  });

  it('SYS_write of zero bytes returns 0 without output', () => {
    const { bus, out } = make();
    writeBlock(bus, [HTIF_SYS_WRITE, 1, BUF, 0]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(out).toEqual([]);
    expect(word(bus, BLOCK)).toBe(0);
    expect(word(bus, FROMHOST)).toBe(1);
  });

  it('SYS_write errors: bad fd -> -EBADF, buffer outside RAM -> -EFAULT (as 64-bit)', () => {
    const { bus, out } = make();
    writeBlock(bus, [HTIF_SYS_WRITE, 3, BUF, 1]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(word(bus, BLOCK) | 0).toBe(-9);
    expect(word(bus, BLOCK + 4)).toBe(0xffffffff);
    writeBlock(bus, [HTIF_SYS_WRITE, 1, RAM + 0xfffe, 4]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(word(bus, BLOCK) | 0).toBe(-14);
    writeBlock(bus, [HTIF_SYS_WRITE, 1, 0x1000, 1]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(word(bus, BLOCK) | 0).toBe(-14);
    expect(out).toEqual([]);
  });

  it('unknown syscalls return -ENOSYS', () => {
    const { bus, exits } = make();
    writeBlock(bus, [1234, 0, 0, 0]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(word(bus, BLOCK) | 0).toBe(-38);
    expect(word(bus, FROMHOST)).toBe(1);
    expect(exits).toEqual([]);
  });

  it('SYS_exit exits with arg0 (signed) after answering', () => {
    const { bus, exits } = make();
    writeBlock(bus, [HTIF_SYS_EXIT, 3, 0, 0]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(exits).toEqual([3]);
    expect(word(bus, FROMHOST)).toBe(1);
    writeBlock(bus, [HTIF_SYS_EXIT, -1, 0, 0]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(exits).toEqual([3, -1]);
  });

  it('a syscall block outside RAM is consumed without an answer', () => {
    const { bus, actions } = make();
    store64(bus, TOHOST, 0x1000, 0);
    store64(bus, TOHOST, RAM + 0xfff0, 0); // block runs past the end of RAM
    store64(bus, TOHOST, BLOCK, 0x0000_0001); // payload above 4 GiB
    expect(actions.filter((a) => a !== 'none')).toEqual(['ignored', 'ignored', 'ignored']);
    expect(word(bus, FROMHOST)).toBe(0);
    expect(word(bus, TOHOST)).toBe(0);
  });

  it('other devices and commands are consumed and ignored', () => {
    const { bus, out, exits, actions } = make();
    store64(bus, TOHOST, 0x41, 0x0100_0000); // device 1, command 0 (getchar): unsupported
    store64(bus, TOHOST, 0x41, 0x0201_0000);
    store64(bus, TOHOST, 0x41, 0x0001_0000); // device 0, command 1
    expect(actions.filter((a) => a !== 'none')).toEqual(['ignored', 'ignored', 'ignored']);
    expect(out).toEqual([]);
    expect(exits).toEqual([]);
    expect(word(bus, TOHOST + 4)).toBe(0);
    expect(word(bus, FROMHOST)).toBe(0);
  });

  it('works without fromhost (no answer written)', () => {
    const { bus, out } = make(false);
    putString(bus, BUF, 'x');
    writeBlock(bus, [HTIF_SYS_WRITE, 1, BUF, 1]);
    store64(bus, TOHOST, BLOCK, 0);
    expect(out).toEqual([{ fd: 1, text: 'x' }]);
    expect(word(bus, BLOCK)).toBe(1);
    expect(word(bus, FROMHOST)).toBe(0);
  });

  it('byte stores into the high word trigger too; stores elsewhere do not', () => {
    const { bus, htif, exits } = make();
    bus.write(TOHOST, 4, 1);
    expect(htif.onToHostWrite(bus, TOHOST, 4)).toBe('none');
    expect(htif.onToHostWrite(bus, TOHOST + 8, 4)).toBe('none');
    bus.write(TOHOST + 7, 1, 0);
    expect(exits).toEqual([0]);
  });

  it('a zero tohost does nothing', () => {
    const { bus, actions } = make();
    store64(bus, TOHOST, 0, 0);
    expect(actions).toEqual(['none', 'none']);
  });

  it('poll() takes a low-word-only command (Spike-style boards)', () => {
    const bus = new Bus(RAM, 0x10000);
    const exits: number[] = [];
    const htif = new Htif({ tohost: TOHOST }, { exit: (c) => exits.push(c), output: () => {} });
    bus.write(TOHOST, 4, 7);
    expect(htif.poll(bus)).toBe('exit');
    expect(exits).toEqual([3]);
    expect(htif.poll(bus)).toBe('none');
  });

  it('a tohost outside RAM is never acted on', () => {
    const bus = new Bus(RAM, 0x10000);
    const htif = new Htif({ tohost: 0x1000 }, { exit: () => {}, output: () => {} });
    expect(htif.poll(bus)).toBe('none');
    const edge = new Htif({ tohost: RAM + 0xfffc }, { exit: () => {}, output: () => {} });
    expect(edge.poll(bus)).toBe('none');
  });
});
