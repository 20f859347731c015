// Running one task taken from a queue: mark it RUNNING (and the worker BUSY), run it in the task
// environment, store its result and status (and the worker IDLE again), each transition in one
// transaction with its log entry.
import type Redis from 'ioredis';
import { decodeValue, encodeValue } from '../core/encoding';
import type { QueueKeys } from '../core/keys';
import { parseTaskRecord, type TaskRecord } from '../core/tasks';
import type { TaskEnvironment } from './evaluate';
import type { LiveStatus } from './handlers';
import type { WorkerLog } from './workerLog';

/** What running a task needs of the worker. */
export interface TaskContext {
  readonly workerId: string;
  readonly redis: Redis;
  readonly keys: QueueKeys;
  readonly log: WorkerLog;
  readonly envir: TaskEnvironment;
  /** The worker's status as it knows it (Redis is written here, in the same transactions). */
  noteStatus(status: LiveStatus): void;
}

async function execute(envir: TaskEnvironment, record: TaskRecord): Promise<{ status: 'COMPLETE' | 'ERROR'; result: string }> {
  let status: 'COMPLETE' | 'ERROR' = 'COMPLETE';
  let value: unknown;
  try {
    value = record.kind === 'call'
      ? await envir.call(record.source, (record.args ? decodeValue(record.args) : []) as unknown[])
      : await envir.evaluate(record.source);
  } catch (err) {
    status = 'ERROR';
    value = err instanceof Error ? err : new Error(`Task threw a non-Error value: ${String(err)}`);
  }
  try {
    return { status, result: encodeValue(value) };
  } catch (err) {
    return { status: 'ERROR', result: encodeValue(new Error(`Task result cannot be encoded: ${(err as Error).message}`)) };
  }
}

/** Run the task `taskId`; a task that is gone or no longer PENDING is logged and skipped. */
export async function runTask(worker: TaskContext, taskId: string): Promise<void> {
  const { redis, keys, log, workerId } = worker;
  const taskKey = keys.task(taskId);
  const record = parseTaskRecord(await redis.hgetall(taskKey));
  if (!record) {
    log.log('TASK_MISSING', taskId, taskId);
    return;
  }
  if (record.status !== 'PENDING') {
    log.log('TASK_SKIP', `${taskId} (${record.status})`, taskId);
    return;
  }
  worker.noteStatus('BUSY');
  const start = redis.multi()
    .hset(taskKey, { status: 'RUNNING', worker: workerId, timeStart: String(Date.now() / 1000) })
    .hset(keys.workerStatus, workerId, 'BUSY')
    .hset(keys.workerTask, workerId, taskId);
  log.log('TASK_START', taskId, taskId, start);
  await start.exec();

  const { status, result } = await execute(worker.envir, record);
  worker.noteStatus('IDLE');
  const finish = redis.multi()
    .hset(taskKey, { status, result, timeComplete: String(Date.now() / 1000) })
    .hset(keys.workerStatus, workerId, 'IDLE')
    .hdel(keys.workerTask, workerId);
  log.log(`TASK_${status}`, taskId, taskId, finish);
  await finish.exec();
}
