#!/usr/bin/env node
// Launcher for the `rtcr` command: the CLI is bundled by `npm run build` (run by `npm ci` via
// the `prepare` script) into dist/rtcr.js.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'rtcr.js');
if (!existsSync(bundle)) {
  process.stderr.write('rtcr: dist/rtcr.js is missing; run `npm run build` first\n');
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
