// Entry point of the worker program: `node dist/worker.js --queue-id ID [--redis URL]`.
// Spawned by a controller, or started by hand on any machine that reaches the Redis server.
import { parseArgs } from 'node:util';
import { workerIds } from '../core/ids';
import { errorCode } from '../core/errors';
import { redactUrl, resolveRedisTarget } from '../core/redisConnection';
import { VERSION } from '../core/version';
import { Worker } from './worker';

const USAGE = `Usage: rrq-worker --queue-id ID [--redis URL] [--worker-id ID] [--config NAME]

  --queue-id ID    queue id to serve (or RRQ_QUEUE_ID)
  --redis URL      redis[s]://[user:password@]host[:port][/db] (or RRQ_REDIS_URL;
                   default: 127.0.0.1:6379, else the private server rrq starts)
  --worker-id ID   worker id (default: a new <adjective>_<animal>_1)
  --config NAME    stored worker config (default: localhost)
  --wait SECONDS   how long to keep trying while Redis cannot be reached at start
                   (default: until it can; 0: give up at once)
  --version        print the version`;

export async function workerMain(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'queue-id': { type: 'string' },
        redis: { type: 'string' },
        'worker-id': { type: 'string' },
        config: { type: 'string' },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const queueId = values['queue-id'] ?? process.env.RRQ_QUEUE_ID;
  if (!queueId) {
    process.stderr.write(`A queue id is required.\n${USAGE}\n`);
    return 2;
  }
  const waitSeconds = values.wait === undefined ? Infinity : Number(values.wait);
  if (!(waitSeconds >= 0)) {
    process.stderr.write(`--wait must be a number of seconds (0 or more), not '${values.wait}'\n${USAGE}\n`);
    return 2;
  }
  // A signal while it is still waiting for Redis ends the wait (and the program).
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  let worker: Worker;
  try {
    const target = await resolveRedisTarget(values.redis);
    const options = { target, queueId, workerId: values['worker-id'] ?? workerIds(1)[0]!, configName: values.config ?? 'localhost' };
    worker = await untilReachable(() => Worker.create(options), waitSeconds, abort.signal);
  } catch (err) {
    process.stderr.write(`rrq worker could not start: ${redactUrl((err as Error).message)}\n`);
    return abort.signal.aborted ? 0 : 1;
  } finally {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => worker.onSignal(signal));
  // Code run by tasks and EVAL may throw from callbacks; log it rather than lose the worker.
  process.on('uncaughtException', (err) => worker.print(`Uncaught exception: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (reason) => worker.print(`Unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`));
  const reason = await worker.run();
  return reason.startsWith('ERROR') ? 1 : 0;
}

/**
 * Start, trying again with growing pauses (0.5 s up to 10 s) while Redis cannot be reached,
 * saying so each time; a refused password, or any other problem, fails at once.
 */
async function untilReachable<T>(start: () => Promise<T>, waitSeconds: number, signal: AbortSignal): Promise<T> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let pauseMs = 500; ; pauseMs = Math.min(10_000, pauseMs * 2)) {
    try {
      return await start();
    } catch (err) {
      if (errorCode(err) !== 'REDIS_UNREACHABLE' || signal.aborted) throw err;
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      const pause = Math.min(pauseMs, left);
      process.stderr.write(`${redactUrl((err as Error).message)}; trying again in ${(pause / 1000).toFixed(1)} s\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
      if (signal.aborted) throw new Error('stopped by a signal while waiting for Redis', { cause: err });
    }
  }
}
