// Bundles the CLI and the benchmarks with esbuild into dist/. Runs in a clone (`npm run build`,
// `prepare` at `npm ci`, `prepack` at `npm pack`). An installed package ships this file and the
// bundle but neither the sources nor esbuild; npm may still run its `prepare` (a tarball is a
// non-registry source), and then there is nothing to do.
import { readdirSync, existsSync } from 'node:fs';

if (!existsSync('src/cli/main.ts')) {
  if (existsSync('dist/rtcr.js')) process.exit(0);
  process.stderr.write('build: neither src/ to build from nor a built dist/rtcr.js here\n');
  process.exit(1);
}
const { build } = await import('esbuild');

const benches = existsSync('bench')
  ? readdirSync('bench').filter((f) => f.endsWith('.ts')).map((f) => `bench/${f}`)
  : [];

await build({
  entryPoints: { rtcr: 'src/cli/main.ts' },
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
