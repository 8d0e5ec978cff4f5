// The worker thread of `rtcr test -j N` (bundled as dist/rtcr-test-worker.js): runs the test
// files the main thread posts, one at a time, and posts each result back.
import { parentPort } from 'node:worker_threads';
import { safeRunTestFile } from './testcase';

/** A request from the main thread: run `file` (its position in the input is `index`). */
export interface TestJob {
  index: number;
  file: string;
  update: boolean;
}

parentPort?.on('message', (job: TestJob) => {
  parentPort!.postMessage({ index: job.index, result: safeRunTestFile(job.file, { update: job.update }) });
});
