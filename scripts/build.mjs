// Bundles the CLI and the benchmarks with esbuild into dist/.
import { build } from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';

const benches = existsSync('bench')
  ? readdirSync('bench').filter((f) => f.endsWith('.ts')).map((f) => `bench/${f}`)
  : [];

await build({
  entryPoints: { rtcr: 'src/cli/main.ts', 'rtcr-test-worker': 'src/cli/testworker.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  sourcemap: true,
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

if (benches.length > 0) {
  await build({
    entryPoints: benches,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: 'dist/bench',
    sourcemap: true,
    logLevel: 'warning',
  });
}
