// Writing to stdout, stderr and files from the CLI: synchronous (output streams out during a long
// run, in order with stderr), and quiet when the reader has gone (`rtcr run ... | head -1`).
import { writeSync } from 'node:fs';
import { EXIT_PIPE } from './outcome';

/**
 * Ends the process with EXIT_PIPE (141, as a shell reports a command killed by SIGPIPE) and no
 * message: whoever reads our output has closed the pipe, so the run stops here.
 */
export function exitClosedPipe(): never {
  process.exit(EXIT_PIPE);
}

/** Whether `e` says the reading end of a pipe was closed. */
export function isClosedPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** Writes all of `data` to `fd`; a closed pipe ends the process quietly (exitClosedPipe). */
export function writeAllSync(fd: number, data: Uint8Array | string, length?: number): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const end = length ?? bytes.length;
  let off = 0;
  while (off < end) {
    try {
      off += writeSync(fd, bytes, off, end - off);
    } catch (e) {
      if (isClosedPipe(e)) exitClosedPipe();
      // A non-blocking pipe that is full: try again until the reader catches up.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** Text on stderr, written now (a closed stderr ends the process quietly). */
export function writeStderr(text: string): void {
  writeAllSync(2, Buffer.from(text, 'utf8'));
}

/** Collects output bytes and writes them synchronously, so they stream during a long run. */
export class OutputBuffer {
  private buf = new Uint8Array(4096);
  private len = 0;
  /**
   * @param fd where the bytes go
   * @param quiet drop everything (--json: the document is the only output)
   */
  constructor(private readonly fd: number, public quiet = false) {}
  push(b: number): void {
    if (this.quiet) return;
    this.buf[this.len++] = b;
    if (this.len === this.buf.length || b === 10) this.flush();
  }
  flush(): void {
    if (this.len > 0) writeAllSync(this.fd, this.buf, this.len);
    this.len = 0;
  }
}

/** A file system error in the tool's words (no errno codes, no syscall names). */
export function fileErrorText(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory, not a file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    default: return (e as Error).message;
  }
}
