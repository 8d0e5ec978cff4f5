// Bundles the CLI and the benchmarks with esbuild into dist/. Runs in a clone (`npm run build`,
// `prepare` at `npm ci`, `prepack` at `npm pack`). An installed package ships this file and the
// bundle but neither the sources nor esbuild; npm may still run its `prepare` (a tarball is a
// non-registry source), and then there is nothing to do.
import { readdirSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

if (!existsSync('src/cli/main.ts')) {
  if (existsSync('dist/rtcr.js')) process.exit(0);
  process.stderr.write('build: neither src/ to build from nor a built dist/rtcr.js here\n');
  process.exit(1);
}
const esbuild = await import('esbuild');

/**
 * esbuild's build, with each output file written beside its place and renamed into it: a CLI
 * started while a build runs (tests build and run in parallel) loads the old bundle or the new
 * one, never half of one.
 */
async function build(options) {
  const r = await esbuild.build({ ...options, write: false });
  for (const f of r.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

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
