// Entry point of dist/worker.js: the worker program, or, started by a worker with a flag, the
// task host of a task that runs in a process of its own (the task thread runs taskHostThread.ts).
import { redactUrl } from '../core/redisConnection';
import { workerMain } from './main';
import { runTaskHost } from './taskHost';
import { TASK_PROCESS_FLAG, type FromHost, type ToHost } from './taskHostProtocol';

if (process.argv.includes(TASK_PROCESS_FLAG)) {
  // Killed by its worker when the task is done or stopped; it never outlives a lost IPC channel.
  process.on('disconnect', () => process.exit(0));
  void runTaskHost({
    post: (message: FromHost) => process.send?.(message),
    onMessage: (listener) => process.on('message', (m: ToHost) => listener(m)),
  }, process.env.RRQ_TASK_ENVIR || null, __filename);
} else {
  workerMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`rrq worker failed: ${redactUrl(err.stack ?? err.message)}\n`);
      process.exit(1);
    },
  );
}
