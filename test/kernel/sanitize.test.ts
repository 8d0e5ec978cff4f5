// Text from outside on its way to a terminal (src/kernel/sanitize.ts): control characters are
// refused in names and labels where they enter, replaced in names taken from guest memory, and
// shown visibly by safeText() when printed.
import { describe, expect, it } from 'vitest';
import { COMPONENT_NAME, componentLabel, hasControl, safeText, sanitizeName } from '../../src/kernel/sanitize';
import { parseScenario } from '../../src/kernel/scenario';
import { boot, raw } from './harness';

describe('safeText', () => {
  it('shows C0, DEL and C1 controls as \\xNN and keeps tabs and printable text', () => {
    expect(safeText('a\tb')).toBe('a\tb');
    expect(safeText('[init] x\n[init] forged')).toBe('[init] x\\x0a[init] forged');
    expect(safeText('\u001b[2J\u007f\u009b')).toBe('\\x1b[2J\\x7f\\x9b');
    expect(safeText('ünïcode ok')).toBe('ünïcode ok');
  });

  it('hasControl and sanitizeName agree with it', () => {
    expect(hasControl('plain text')).toBe(false);
    expect(hasControl('a\rb')).toBe(true);
    expect(sanitizeName('wo\u001brk\ner')).toBe('wo?rk?er');
  });
});

describe('component names', () => {
  it.each(['sheep_counter', 'a.b-c', 'x'])('%s is a name', (n) => expect(COMPONENT_NAME.test(n)).toBe(true));
  it.each(['', '.', '..', '../../etc', 'a/b', 'a b', 'a\nb', 'x'.repeat(49)])('%j is not', (n) => expect(COMPONENT_NAME.test(n)).toBe(false));

  it('a scenario naming a component ".." is refused naming the field', () => {
    const r = parseScenario(JSON.stringify({ components: [{ name: '..', program: 'hello.s' }] }), 's.json');
    expect(r.ok ? '' : r.error).toMatch(/^s\.json: components\[0\]\.name: letters, digits/);
  });

  it('the label is init\'s', () => expect(componentLabel('a')).toBe('init -> a'));
});

describe('THREAD_CREATE', () => {
  it('stores a name with control characters replaced (it prints on one line)', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li a0, SLOT_CPU
    li a1, CPU_THREAD_CREATE
    li a2, 10
    la a3, tname
    li a4, 6
    sys SYS_INVOKE
    park`, '.section .rodata\ntname: .ascii "w\\033[2J\\n"\n') }]);
    b.runMs(1);
    expect(b.thread('a', 1).name).toBe('w?[2J?');
  });
});
