#!/usr/bin/env node
// Launcher for the `rtcr` command. The CLI is one bundle, dist/rtcr.js: in a clone `npm ci` (the
// `prepare` script) or `npm run build` makes it; an installed package ships it (built at
// `npm pack` by `prepack`) together with programs/ and docs/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'rtcr.js');
if (!existsSync(bundle)) {
  // Only a clone has the sources to build from; an installed package without the bundle is broken.
  const clone = existsSync(join(root, 'src', 'cli', 'main.ts'));
  process.stderr.write(clone
    ? 'rtcr: dist/rtcr.js is missing; run `npm ci` (or `npm run build`) in the clone first\n'
    : `rtcr: ${bundle} is missing: this installed package is incomplete; reinstall it\n`);
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
