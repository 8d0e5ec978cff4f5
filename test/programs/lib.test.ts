// The runtime library (programs/lib) function by function, on the hart in hosted mode: the
// formatting, parsing and string functions against TypeScript, and every system-call wrapper's
// register shuffling against docs/abi.md (the test answers the ecalls).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ATTACH, LibHarness, type Regs8 } from './guest';

let h: LibHarness;
beforeAll(() => { h = new LibHarness(); });

const u = (v: number): number => v >>> 0;

describe('strings and memory', () => {
  it('strlen', () => {
    for (const s of ['', 'a', 'Hello from rtcr-vm!']) expect(h.call('strlen', [h.str(s)]).a0).toBe(s.length);
  });
  it('memcpy, memset, memcmp', () => {
    const a = h.str('abcdef'), b = h.alloc(8);
    expect(u(h.call('memcpy', [b, a, 6]).a0)).toBe(b);
    expect(h.readText(b, 6)).toBe('abcdef');
    expect(u(h.call('memset', [b + 1, 0x7a, 3]).a0)).toBe(b + 1);
    expect(h.readText(b, 6)).toBe('azzzef');
    expect(h.call('memcmp', [a, b, 1]).a0).toBe(0);
    expect(h.call('memcmp', [a, b, 6]).a0).toBe('b'.charCodeAt(0) - 'z'.charCodeAt(0));
    expect(h.call('memcmp', [a, b, 0]).a0).toBe(0);
  });
  it('str_eq_n', () => {
    const p = h.str('random,x');
    expect(h.call('str_eq_n', [p, 6, h.str('random')]).a0).toBe(1);
    expect(h.call('str_eq_n', [p, 5, h.str('random')]).a0).toBe(0);
    expect(h.call('str_eq_n', [p, 6, h.str('rando')]).a0).toBe(0);
    expect(h.call('str_eq_n', [p, 0, h.str('')]).a0).toBe(1);
  });
});

describe('number formatting', () => {
  const buf = (): number => h.alloc(16);
  const fmt = (fn: string, v: number, extra: number[] = []): string => {
    const b = buf();
    const n = h.call(fn, [b, v, ...extra]).a0;
    return h.readText(b, n);
  };
  it('fmt_udec, fmt_sdec, fmt_hex, fmt_hex8, fmt_hexn (edge values)', () => {
    for (const v of [0, 1, 9, 10, 99, 100, 4294967295, 2147483648, 123456789]) {
      expect(fmt('fmt_udec', v)).toBe(String(v));
      expect(fmt('fmt_hex', v)).toBe(v.toString(16));
      expect(fmt('fmt_hex8', v)).toBe(v.toString(16).padStart(8, '0'));
      expect(fmt('fmt_sdec', v)).toBe(String(v | 0));
    }
    expect(fmt('fmt_hexn', 0xabcdef, [3])).toBe('def');
  });
  it('fmt_* agree with TypeScript on random values', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      expect(fmt('fmt_udec', v)).toBe(String(v));
      expect(fmt('fmt_sdec', v)).toBe(String(v | 0));
      expect(fmt('fmt_hex', v)).toBe(v.toString(16));
    }), { numRuns: 200 });
  });
});

describe('parsing and configuration', () => {
  const parse = (s: string): [number, number] => {
    const r = h.call('parse_uint', [h.str(s), s.length]);
    return [u(r.a0), r.a1];
  };
  it('parse_uint: decimal, hex, units', () => {
    expect(parse('0')).toEqual([0, 0]);
    expect(parse('4096')).toEqual([4096, 0]);
    expect(parse('0x1000')).toEqual([4096, 0]);
    expect(parse('0XfF')).toEqual([255, 0]);
    expect(parse('256K')).toEqual([262144, 0]);
    expect(parse('1M')).toEqual([1048576, 0]);
    expect(parse('2g')).toEqual([2147483648, 0]);
    expect(parse('100ms')).toEqual([100000, 0]);
    expect(parse('1s')).toEqual([1000000, 0]);
    expect(parse('250us')).toEqual([250, 0]);
    expect(parse('4294967295')).toEqual([4294967295, 0]);
  });
  it('parse_uint: malformed input is E_BAD_ARG', () => {
    for (const s of ['', 'x', '0x', 'K', '12q', '1kb', '10 ', '-1', '1ns']) expect(parse(s)[1]).toBe(-4);
  });
  it('cfg_find, cfg_uint, cfg_is', () => {
    const cfg = 'size=256K pattern=random,stride=0x1000  seed=7 verbose sizes=9';
    const p = h.str(cfg);
    const find = (k: string): string | undefined => {
      const r = h.call('cfg_find', [p, cfg.length, h.str(k)]);
      return r.a0 === 0 ? undefined : h.readText(u(r.a0), r.a1);
    };
    expect(find('size')).toBe('256K');
    expect(find('pattern')).toBe('random');
    expect(find('stride')).toBe('0x1000');
    expect(find('seed')).toBe('7');
    expect(find('verbose')).toBe('');
    expect(find('sizes')).toBe('9');
    expect(find('siz')).toBeUndefined();
    expect(find('period')).toBeUndefined();
    const uint = (k: string, d: number): [number, number] => {
      const r = h.call('cfg_uint', [p, cfg.length, h.str(k), d]);
      return [u(r.a0), r.a1];
    };
    expect(uint('size', 1)).toEqual([262144, 0]);
    expect(uint('stride', 1)).toEqual([4096, 0]);
    expect(uint('period', 5)).toEqual([5, -11]);
    expect(uint('pattern', 5)).toEqual([5, -4]);
    expect(h.call('cfg_is', [p, cfg.length, h.str('pattern'), h.str('random')]).a0).toBe(1);
    expect(h.call('cfg_is', [p, cfg.length, h.str('pattern'), h.str('strided')]).a0).toBe(0);
    expect(h.call('cfg_is', [p, cfg.length, h.str('mode'), h.str('random')]).a0).toBe(0);
    // an empty configuration
    expect(h.call('cfg_find', [p, 0, h.str('size')]).a0).toBe(0);
  });
});

describe('log lines', () => {
  it('line_* build a line, line_log writes it through the LOG session and empties it', () => {
    const logged: string[] = [];
    h.onEcall = (a, hart) => {
      // the first LOG use asks the parent for a session: answer slot 9
      if (a[7] === 0 && a[0] === 1 && a[1] === 0) { hart.x[10] = 0; hart.x[11] = 9; return; }
      if (a[7] === 0 && a[0] === 9 && a[1] === 0) { logged.push(h.readText(a[2], a[3])); hart.x[10] = 0; return; }
      hart.x[10] = -3;
    };
    h.call('line_reset');
    h.call('line_str', [h.str('n=')]);
    h.call('line_dec', [42]);
    h.call('line_char', [0x20]);
    h.call('line_sdec', [-7]);
    h.call('line_str', [h.str(' 0x')]);
    h.call('line_hex8', [0xbeef]);
    h.call('line_char', [0x20]);
    expect(h.call('line_hex', [0xbeef]).a0).toBe('n=42 -7 0x0000beef beef'.length);
    expect(h.call('line_log').a0).toBe(0);
    // the session request: "LOG", no arguments
    expect(h.ecalls[0]!.slice(0, 4).map((v, i) => (i === 2 ? h.readText(v, 3) : v))).toEqual([1, 0, 'LOG', 3]);
    expect(logged).toEqual(['n=42 -7 0x0000beef beef']);
    expect(h.call('line_log').a0).toBe(0);
    expect(logged[1]).toBe('');
    // the session is kept: one ecall for the next write
    h.call('log_str', [h.str('again')]);
    expect(h.ecalls.length).toBe(1);
    expect(logged[2]).toBe('again');
    // cut off at 512 bytes
    h.call('line_reset');
    for (let i = 0; i < 60; i++) h.call('line_str', [h.str('0123456789')]);
    expect(h.call('line_char', [0x41]).a0).toBe(512);
  });
});

describe('system-call wrappers follow docs/abi.md', () => {
  // name, arguments, the ecall's a0-a7 expected (undefined: don't care)
  type Row = [string, number[], (number | undefined)[]];
  const D = undefined;
  const rows: Row[] = [
    ['sys_invoke', [5, 6, 1, 2, 3, 4, 5], [5, 6, 1, 2, 3, 4, 5, 0]],
    ['sys_wait', [6], [6, D, D, D, D, D, D, 1]],
    ['sys_poll', [6], [6, D, D, D, D, D, D, 2]],
    ['sys_yield', [], [D, D, D, D, D, D, D, 3]],
    ['parent_session_n', [0x100, 3, 0x200, 6], [1, 0, 0x100, 3, 0x200, 6, D, 0]],
    ['parent_close', [12], [1, 1, 12, D, D, D, D, 0]],
    ['pd_alloc_context', [6, 77], [2, 0, 6, 77, D, D, D, 0]],
    ['signal_context', [77], [2, 0, 6, 77, D, D, D, 0]],
    ['pd_free_context', [20], [2, 1, 20, D, D, D, D, 0]],
    ['pd_submit', [20, 3], [2, 2, 20, 3, D, D, D, 0]],
    ['pd_alloc_receiver', [], [2, 3, D, D, D, D, D, 0]],
    ['pd_cap_derive', [9, 5], [2, 4, 9, 5, D, D, D, 0]],
    ['pd_cap_revoke', [9], [2, 5, 9, D, D, D, D, 0]],
    ['pd_cap_delete', [9], [2, 6, 9, D, D, D, D, 0]],
    ['pd_cap_info', [9], [2, 7, 9, D, D, D, D, 0]],
    ['cpu_thread_create', [50, 0x300, 4], [3, 0, 50, 0x300, 4, D, D, 0]],
    ['cpu_thread_start', [11, 0x400, 0x500, 0x600], [3, 1, 11, 0x400, 0x500, 0x600, D, 0]],
    ['cpu_thread_pause', [11], [3, 2, 11, D, D, D, D, 0]],
    ['cpu_thread_resume', [11], [3, 3, 11, D, D, D, D, 0]],
    ['cpu_thread_state_get', [11, 0x700], [3, 4, 11, 0x700, D, D, D, 0]],
    ['cpu_thread_state_set', [11, 0x700], [3, 5, 11, 0x700, D, D, D, 0]],
    ['cpu_thread_single_step', [11, 1], [3, 6, 11, 1, D, D, D, 0]],
    ['cpu_thread_kill', [11], [3, 7, 11, D, D, D, D, 0]],
    ['ram_alloc', [8192], [4, 0, 8192, D, D, D, D, 0]],
    ['ram_free', [13], [4, 1, 13, D, D, D, D, 0]],
    ['ram_quota', [], [4, 2, D, D, D, D, D, 0]],
    ['rm_attach', [5, 13, 0x20000000, 0x1000, 0x2000, 2], [5, 0, 13, 0x20000000, 0x1000, 0x2000, 2, 0]],
    ['ds_attach', [13], [5, 0, 13, 0xffffffff, 0, 0, 2, 0]],
    ['rm_detach', [5, 0x10000000], [5, 1, 0x10000000, D, D, D, D, 0]],
    ['rm_fault_handler', [14, 20], [14, 2, 20, D, D, D, D, 0]],
    ['rm_fault_state', [14], [14, 3, D, D, D, D, D, 0]],
    ['rm_dataspace', [14], [14, 4, D, D, D, D, D, 0]],
    ['ds_size', [13], [13, 0, D, D, D, D, D, 0]],
    ['rm_session_create', [15, 0x100000], [15, 0, 0x100000, D, D, D, D, 0]],
    ['log_session_write', [9, 0x800, 12], [9, 0, 0x800, 12, D, D, D, 0]],
    ['timer_sigh', [16, 20], [16, 0, 20, D, D, D, D, 0]],
    ['timer_trigger_once', [16, 1000], [16, 1, 1000, D, D, D, D, 0]],
    ['timer_trigger_periodic', [16, 1000000], [16, 2, 1000000, D, D, D, D, 0]],
    ['timer_elapsed_ms', [16], [16, 3, D, D, D, D, D, 0]],
    ['timer_elapsed_us', [16], [16, 4, D, D, D, D, D, 0]],
    ['irq_sigh', [17, 20], [17, 0, 20, D, D, D, D, 0]],
    ['irq_ack', [17], [17, 1, D, D, D, D, D, 0]],
    ['io_mem_dataspace', [18], [18, 0, D, D, D, D, D, 0]],
  ];
  // single-result wrappers return the result (a1 of the INVOKE) in a0, or the error
  const single = new Set(['parent_session_n', 'pd_alloc_context', 'signal_context', 'pd_alloc_receiver', 'pd_cap_derive',
    'cpu_thread_create', 'ram_alloc', 'rm_attach', 'ds_attach', 'rm_dataspace', 'ds_size', 'rm_session_create', 'io_mem_dataspace']);
  for (const [name, args, want] of rows) {
    it(name, () => {
      h.onEcall = (_a, hart) => { hart.x[10] = 0; hart.x[11] = 0x1111; hart.x[12] = 0x2222; hart.x[13] = 0x3333; };
      const ok = h.call(name, args);
      expect(h.ecalls.length).toBe(1);
      const got: Regs8 = h.ecalls[0]!;
      want.forEach((w, i) => { if (w !== undefined) expect(got[i], `${name}: a${i}`).toBe(w); });
      if (single.has(name)) expect(ok.a0).toBe(0x1111);
      else if (name !== 'sys_yield') expect([ok.a0, ok.a1, ok.a2, ok.a3]).toEqual([0, 0x1111, 0x2222, 0x3333]);
      h.onEcall = (_a, hart) => { hart.x[10] = -4; };
      expect(h.call(name, args).a0).toBe(-4);
    });
  }
  it('parent_session measures NUL-terminated strings (args may be 0)', () => {
    h.onEcall = (_a, hart) => { hart.x[10] = 0; hart.x[11] = 10; };
    const name = h.str('Timer'), args = h.str('irq=10');
    expect(h.call('parent_session', [name, args]).a0).toBe(10);
    expect(h.ecalls[0]!.slice(0, 6)).toEqual([1, 0, name, 5, args, 6]);
    expect(h.call('parent_session', [name, 0]).a0).toBe(10);
    expect(h.ecalls[0]!.slice(0, 6)).toEqual([1, 0, name, 5, 0, 0]);
  });
  it('ram_alloc_attach allocates and attaches; frees the dataspace when the attach fails', () => {
    h.onEcall = (a, hart) => {
      hart.x[10] = 0;
      if (a[0] === 4 && a[1] === 0) hart.x[11] = 21;
      else if (a[0] === 5 && a[1] === 0) hart.x[11] = 0x10000000;
    };
    const r = h.call('ram_alloc_attach', [0x4000]);
    expect([u(r.a0), r.a1]).toEqual([0x10000000, 21]);
    expect(h.ecalls.map((e) => [e[0], e[1], e[2]])).toEqual([[4, 0, 0x4000], [5, 0, 21]]);
    h.onEcall = (a, hart) => {
      if (a[0] === 4 && a[1] === 0) { hart.x[10] = 0; hart.x[11] = 21; } else if (a[0] === 5) hart.x[10] = -7; else hart.x[10] = 0;
    };
    expect(h.call('ram_alloc_attach', [0x4000]).a0).toBe(-7);
    expect(h.ecalls.map((e) => [e[0], e[1], e[2]])).toEqual([[4, 0, 0x4000], [5, 0, 21], [4, 1, 21]]);
  });
  it('thread_spawn: stack dataspace, THREAD_CREATE with the name, THREAD_START at the trampoline', () => {
    const stack = ATTACH;
    h.onEcall = (a, hart) => {
      hart.x[10] = 0;
      if (a[0] === 4 && a[1] === 0) hart.x[11] = 21;
      else if (a[0] === 5 && a[1] === 0) hart.x[11] = stack;
      else if (a[0] === 3 && a[1] === 0) hart.x[11] = 22;
    };
    const name = h.str('worker');
    expect(h.call('thread_spawn', [0x1234, 0x5678, 50, name, 0x2000]).a0).toBe(22);
    const [, , create, start] = h.ecalls;
    expect(create!.slice(0, 5)).toEqual([3, 0, 50, name, 6]);
    const top = stack + 0x2000 - 16;
    expect(start!.slice(0, 6)).toEqual([3, 1, 22, h.sym('__thread_trampoline'), top, top]);
    expect([h.word(top), h.word(top + 4), h.word(top + 8)]).toEqual([0x1234, 0x5678, 22]);
  });
  it('the thread trampoline calls entry(arg) with sp at the start block, then kills its own thread', () => {
    const block = h.alloc(16);
    h.write(block, new Uint8Array(new Uint32Array([h.sym('strlen'), h.str('four'), 23, 0]).buffer));
    class Killed extends Error {}
    let sawA0 = -1;
    h.onEcall = (a) => { sawA0 = a[0]; throw new Killed(); }; // the kernel would not return
    const trampoline = h.sym('__thread_trampoline');
    expect(() => h.callWithSp(trampoline, [block], block)).toThrow(Killed);
    expect(h.ecalls[0]!.slice(0, 3)).toEqual([3, 7, 23]);
    expect(sawA0).toBe(3);
  });
});
