// The CLI's synchronous output: OutputBuffer streams whole lines, and drops everything when quiet.
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputBuffer, writeAllSync } from '../../src/cli/output';

const dir = mkdtempSync(join(tmpdir(), 'rtcr-out-'));
let files = 0;

/** What `write` wrote through an OutputBuffer on a fresh file. */
function written(quiet: boolean, write: (out: OutputBuffer) => void): string {
  const path = join(dir, `f${files++}`);
  const fd = openSync(path, 'w');
  write(new OutputBuffer(fd, quiet));
  closeSync(fd);
  return readFileSync(path, 'latin1');
}

const push = (out: OutputBuffer, s: string) => { for (const ch of s) out.push(ch.charCodeAt(0)); };

describe('OutputBuffer', () => {
  it('writes each line as it ends, and the rest on flush', () => {
    expect(written(false, (out) => push(out, 'one\ntwo'))).toBe('one\n');
    expect(written(false, (out) => { push(out, 'one\ntwo'); out.flush(); })).toBe('one\ntwo');
  });

  it('writes long output without a newline in 4 KiB pieces', () => {
    expect(written(false, (out) => push(out, 'x'.repeat(5000)))).toBe('x'.repeat(4096));
  });

  it('writes nothing when quiet (--json)', () => {
    expect(written(true, (out) => { push(out, 'one\ntwo\n'); out.flush(); })).toBe('');
  });
});

describe('writeAllSync', () => {
  it('writes a string as latin1 bytes, or the first `length` bytes of an array', () => {
    const path = join(dir, 'w');
    const fd = openSync(path, 'w');
    writeAllSync(fd, 'caf\xe9 ');
    writeAllSync(fd, Uint8Array.of(0x41, 0x42, 0x43), 2);
    closeSync(fd);
    expect([...readFileSync(path)]).toEqual([0x63, 0x61, 0x66, 0xe9, 0x20, 0x41, 0x42]);
  });
});
