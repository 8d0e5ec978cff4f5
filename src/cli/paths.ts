// Where the files that ship beside the CLI are: the example programs and their runtime library.
// The same code runs from the bundle (dist/rtcr.js in a clone or an installed package) and from
// src/cli under the tests, so the directory is found by walking up from this module's file.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file every programs/ directory holds: the guest runtime. */
const MARKER = join('lib', 'rt.s');

/**
 * The absolute path of the `programs/` directory that ships with this copy of rtcr (example
 * scenarios, their assembly, `lib/`), or undefined when this copy has none. Looks in the
 * parents of `from` (default: this module's directory), nearest first, at most three levels up:
 * dist/rtcr.js -> ../programs, src/cli/paths.ts -> ../../programs.
 */
export function programsDir(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 3; i++) {
    dir = dirname(dir);
    const candidate = join(dir, 'programs');
    if (existsSync(join(candidate, MARKER))) return candidate;
  }
  return undefined;
}

/** One help line naming the example programs' directory (or saying that there is none). */
export function programsHelp(): string {
  const dir = programsDir();
  return dir === undefined
    ? '\nExample programs: none found beside this copy of rtcr.'
    : `\nExample programs: ${dir} (e.g. rtcr run ${join(dir, 'hello.json')})`;
}
