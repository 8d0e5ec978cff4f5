// npm run bench:ckpt: full and incremental checkpoint pause and restore times for 1, 16 and
// 64 MiB children at several dirty fractions, and the copy throughput of a checkpoint against a
// plain TypedArray.set of the same bytes, measured in the same run.
//
// The child is programs/memwalk.s with a working set of S bytes, walked sequentially once per
// virtual second, dirtying fraction f of it per walk; tracking granularity 16 (64 KiB), access
// mode. Pause = recording state and copying memory (the child stopped); encode = CBOR and
// SHA-256 of the image (could run while the child goes on); restore = decode-to-running on a
// fresh kernel. Wall time (performance.now) is allowed here, in bench/ only.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../src/kernel/scenario';
import { takeCheckpoint } from '../src/rtcr/checkpoint';
import { decodeImage } from '../src/rtcr/image';
import { Rtcr } from '../src/rtcr/rtcr';

const MiB = 1024 * 1024;
const readFile = (p: string) => {
  try { return readFileSync(join('programs', p)); } catch { return undefined; }
};

function boot(size: number, fraction: number): Rtcr {
  const touches = Math.max(1, Math.floor((fraction * size) / 4));
  const text = JSON.stringify({
    ramMiB: size / MiB + 8,
    components: [{ name: 'memwalk', program: 'memwalk.s', ram: size + 2 * MiB,
      config: `size=${size} pattern=sequential period=1s touches=${touches}`, routes: { LOG: 'core', Timer: 'core' } }],
  });
  const parsed = parseScenario(text, 'bench.json');
  if (!parsed.ok) throw new Error(parsed.error);
  const b = Rtcr.boot({ scenario: parsed.scenario, readFile }, { granularity: 16, mode: 'access' });
  if (!b.ok) throw new Error(b.message);
  return b.rtcr;
}

const ms = (t: number) => `${t.toFixed(1)} ms`.padStart(10);
const mbps = (bytes: number, t: number) => (bytes / MiB / (t / 1000));

// Warm up the code paths (JIT) on a small child first, so the first row is not penalised.
{
  const w = boot(MiB, 0.1);
  w.init.runUntilNs(1.5e9);
  w.encode(w.capture());
  w.init.runUntilNs(2.5e9);
  w.encode(w.capture());
}

console.log('size    dirty | full: pause    encode   restore | incr: pause    encode   copied    restore | copy MiB/s  set MiB/s  ratio');
for (const size of [1 * MiB, 16 * MiB, 64 * MiB]) {
  for (const fraction of [0.01, 0.1, 0.5]) {
    const rtcr = boot(size, fraction);
    rtcr.init.runUntilNs(1.5e9); // the first walk is done
    // The full pause, best of 3 (recording and copying have no side effect until capture()).
    let fullPause = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      takeCheckpoint(rtcr.init, { tracker: rtcr.interposition.tracker, serialOf: () => 0 });
      fullPause = Math.min(fullPause, performance.now() - t);
    }
    let t0 = performance.now();
    const full = rtcr.capture();
    t0 = performance.now();
    const fullBytes = rtcr.encode(full);
    const fullEncode = performance.now() - t0;

    rtcr.init.runUntilNs(2.5e9); // one more walk dirties `fraction` of the working set
    t0 = performance.now();
    const inc = rtcr.capture();
    const incPause = performance.now() - t0;
    t0 = performance.now();
    const incBytes = rtcr.encode(inc);
    const incEncode = performance.now() - t0;

    const images = [fullBytes, incBytes].map((b) => {
      const d = decodeImage(b);
      if (!d.ok) throw new Error(d.error);
      return d.image;
    });
    t0 = performance.now();
    const rf = Rtcr.restore(images.slice(0, 1));
    const fullRestore = performance.now() - t0;
    t0 = performance.now();
    const ri = Rtcr.restore(images);
    const incRestore = performance.now() - t0;
    if (!rf.ok || !ri.ok) throw new Error('restore failed');

    // Baseline: a plain TypedArray.set of the same bytes into a new buffer (the checkpoint, too,
    // must produce new memory), best of 5. The checkpoint's rate is over its whole pause.
    const ram = rtcr.init.machine.bus.ram;
    const copied = full.figures.bytesCopied;
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const dst = new Uint8Array(copied);
      dst.set(ram.subarray(0, copied));
      best = Math.min(best, performance.now() - t0);
    }
    const ckptRate = mbps(copied, fullPause);
    const setRate = mbps(copied, best);
    console.log(`${String(size / MiB).padStart(3)} MiB ${String(fraction * 100).padStart(4)}% |` +
      `${ms(fullPause)}${ms(fullEncode)}${ms(fullRestore)} |${ms(incPause)}${ms(incEncode)} ${String(inc.figures.bytesCopied).padStart(9)} B${ms(incRestore)} |` +
      ` ${ckptRate.toFixed(0).padStart(10)} ${setRate.toFixed(0).padStart(10)}  ${(ckptRate / setRate).toFixed(2)}`);
  }
}
