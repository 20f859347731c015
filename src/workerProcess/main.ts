// Entry point of the worker program: `node dist/worker.js --queue-id ID [--redis URL]`.
// Spawned by a controller, or started by hand on any machine that reaches the Redis server.
import { parseArgs } from 'node:util';
import { workerIds } from '../core/ids';
import { redactUrl, resolveRedisTarget } from '../core/redisConnection';
import { VERSION } from '../core/version';
import { Worker } from './worker';

const USAGE = `Usage: rrq-worker --queue-id ID [--redis URL] [--worker-id ID] [--config NAME]

  --queue-id ID    queue id to serve (or RRQ_QUEUE_ID)
  --redis URL      redis[s]://[user:password@]host[:port][/db] (or RRQ_REDIS_URL;
                   default: 127.0.0.1:6379, else the private server rrq starts)
  --worker-id ID   worker id (default: a new <adjective>_<animal>_1)
  --config NAME    stored worker config (default: localhost)
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
  let worker: Worker;
  try {
    const target = await resolveRedisTarget(values.redis);
    worker = await Worker.create({
      target,
      queueId,
      workerId: values['worker-id'] ?? workerIds(1)[0]!,
      configName: values.config ?? 'localhost',
    });
  } catch (err) {
    process.stderr.write(`rrq worker could not start: ${redactUrl((err as Error).message)}\n`);
    return 1;
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => worker.onSignal(signal));
  // Code run by tasks and EVAL may throw from callbacks; log it rather than lose the worker.
  process.on('uncaughtException', (err) => worker.print(`Uncaught exception: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (reason) => worker.print(`Unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`));
  const reason = await worker.run();
  return reason.startsWith('ERROR') ? 1 : 0;
}
