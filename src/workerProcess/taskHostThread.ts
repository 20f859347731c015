// The program of a worker's task thread (see taskExecutors.ts): bundled on its own and inlined
// into the worker as text (scripts/build.mjs), so the thread loads only what running tasks needs.
import { parentPort, workerData } from 'node:worker_threads';
import { runTaskHost } from './taskHost';
import type { FromHost, TaskHostStart, ToHost } from './taskHostProtocol';

const port = parentPort!;
const start = workerData as TaskHostStart;
void runTaskHost({
  post: (message: FromHost) => port.postMessage(message),
  onMessage: (listener) => port.on('message', (m: ToHost) => listener(m)),
}, start.envir, start.modulePath);
