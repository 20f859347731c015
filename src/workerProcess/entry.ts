// Entry point of dist/worker.js: the worker program, or, started by a worker, its task host
// (a worker thread, or a process of its own for a task that asks for one).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { redactUrl } from '../core/redisConnection';
import { workerMain } from './main';
import { runTaskHost } from './taskHost';
import { TASK_PROCESS_FLAG, type FromHost, type TaskHostStart, type ToHost } from './taskHostProtocol';

if (!isMainThread && (workerData as TaskHostStart | undefined)?.rrqTaskHost) {
  const port = parentPort!;
  void runTaskHost({
    post: (message: FromHost) => port.postMessage(message),
    onMessage: (listener) => port.on('message', (m: ToHost) => listener(m)),
  }, (workerData as TaskHostStart).envir);
} else if (process.argv.includes(TASK_PROCESS_FLAG)) {
  // Killed by its worker when the task is done or stopped; it never outlives a lost IPC channel.
  process.on('disconnect', () => process.exit(0));
  void runTaskHost({
    post: (message: FromHost) => process.send?.(message),
    onMessage: (listener) => process.on('message', (m: ToHost) => listener(m)),
  }, process.env.RRQ_TASK_ENVIR || null);
} else {
  workerMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`rrq worker failed: ${redactUrl(err.stack ?? err.message)}\n`);
      process.exit(1);
    },
  );
}
