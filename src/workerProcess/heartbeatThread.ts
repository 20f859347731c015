// A worker's heartbeat, in a thread of its own with a connection of its own, so that nothing the
// worker does can stop it: every period it renews the worker's heartbeat key (a time to live of
// three periods: a worker whose key expires is LOST), and in between it waits on the worker's
// kill list. A kill request ends the process at once, whatever it is doing (a task, an EVAL, a
// stuck main thread), after recording the worker EXITED (STOP KILLED ...). Bundled on its own
// and inlined into the worker as text (scripts/build.mjs).
import Redis from 'ioredis';
import { parentPort, workerData } from 'node:worker_threads';
import { queueKeys } from '../core/keys';
import { Scripts } from '../core/scripts';
import type { FromHeartbeat, HeartbeatStart } from './heartbeatProtocol';

const start = workerData as HeartbeatStart;
const keys = queueKeys(start.queueId);
const post = (message: FromHeartbeat) => parentPort!.postMessage(message);
const redis = new Redis({ ...start.redis, connectionName: `rrq:${start.queueId}:worker:${start.workerId}:heartbeat`, maxRetriesPerRequest: null });
let lastProblem = '';
redis.on('error', (err: Error) => {
  if (err.message !== lastProblem) post({ type: 'problem', message: `heartbeat: ${err.message}` });
  lastProblem = err.message;
});
const scripts = new Scripts(redis, keys);

async function beat(): Promise<void> {
  const heartbeat = keys.workerHeartbeat(start.workerId);
  const kill = keys.workerKill(start.workerId);
  for (;;) {
    try {
      await redis.set(heartbeat, String(Date.now()), 'PX', 3 * start.periodMs);
      lastProblem = '';
      // The wait for a kill request is the timer between beats.
      const request = await redis.blpop(kill, start.periodMs / 1000);
      if (request) {
        const reason = request[1] || 'on request';
        post({ type: 'kill', reason });
        await scripts.workerMarkGone(start.workerId, 'EXITED', 'STOP', `KILLED (${reason})`, start.logMax).catch(() => false);
        process.kill(process.pid, 'SIGKILL');
      }
    } catch (err) {
      const message = `heartbeat: ${(err as Error).message}`;
      if (message !== lastProblem) post({ type: 'problem', message });
      lastProblem = message;
      await new Promise((r) => setTimeout(r, Math.min(1000, start.periodMs)));
    }
  }
}

void beat();
