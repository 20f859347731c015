// Controller side of tasks: create, look at, wait for, and read results.
import { asArray, secondsToMs, type ControllerContext } from './context';
import { quoteList, TimeoutError } from './errors';
import { decodeValue, encodeValue } from './encoding';
import { newTaskId } from './ids';
import { TASK_FINISHED, type TaskStatus } from './protocol';
import { describeFunctionSource, parseTaskRecord, taskRecordFields, type TaskCreateOptions, type TaskRecord } from './tasks';

export interface TaskCreateBulkCallOptions extends TaskCreateOptions {
  /** Extra arguments passed after each element: fn(element, ...args). */
  args?: unknown[];
}

function queueName(options: TaskCreateOptions): string {
  const queue = options.queue ?? 'default';
  if (typeof queue !== 'string' || !/^[^\s{}]+$/.test(queue)) throw new Error(`Invalid queue name ${JSON.stringify(queue)}`);
  return queue;
}

async function enqueue(ctx: ControllerContext, records: TaskRecord[]): Promise<string[]> {
  const ids = records.map(() => newTaskId());
  const multi = ctx.redis.multi();
  records.forEach((record, i) => multi.hset(ctx.keys.task(ids[i]!), taskRecordFields(record)));
  const byQueue = new Map<string, string[]>();
  records.forEach((r, i) => byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), ids[i]!]));
  for (const [queue, queued] of byQueue) multi.rpush(ctx.keys.queue(queue), ...queued);
  await multi.exec();
  return ids;
}

export async function taskCreateExpr(ctx: ControllerContext, expr: string, options: TaskCreateOptions = {}): Promise<string> {
  if (typeof expr !== 'string' || expr.trim() === '') throw new Error('taskCreateExpr: expr must be JavaScript source text');
  const [id] = await enqueue(ctx, [{
    kind: 'expr', source: expr, queue: queueName(options), status: 'PENDING', timeSubmit: Date.now() / 1000,
  }]);
  return id!;
}

export async function taskCreateBulkCall(
  ctx: ControllerContext, fn: ((...args: never[]) => unknown) | string, data: readonly unknown[],
  options: TaskCreateBulkCallOptions = {},
): Promise<string[]> {
  if (!Array.isArray(data)) throw new Error('taskCreateBulkCall: data must be an array (one task per element)');
  if (data.length === 0) return [];
  const source = describeFunctionSource(fn);
  const queue = queueName(options);
  const extra = options.args ?? [];
  const timeSubmit = Date.now() / 1000;
  return enqueue(ctx, data.map((element) => ({
    kind: 'call', source, args: encodeValue([element, ...extra]), queue, status: 'PENDING', timeSubmit,
  })));
}

export async function taskRecords(ctx: ControllerContext, ids: string[]): Promise<(TaskRecord | null)[]> {
  const pipeline = ctx.redis.pipeline();
  for (const id of ids) pipeline.hgetall(ctx.keys.task(id));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, fields]) => {
    if (err) throw err;
    return parseTaskRecord(fields as Record<string, string>);
  });
}

export async function taskStatuses(ctx: ControllerContext, ids: string[]): Promise<TaskStatus[]> {
  const pipeline = ctx.redis.pipeline();
  for (const id of ids) pipeline.hget(ctx.keys.task(id), 'status');
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, status]) => {
    if (err) throw err;
    return (status as TaskStatus | null) ?? 'MISSING';
  });
}

/**
 * Wait until every task has finished. Resolves true when all are COMPLETE, false when all have
 * finished but some did not complete; rejects with a TimeoutError naming the unfinished ones.
 */
export async function taskWait(ctx: ControllerContext, ids: string | readonly string[], timeoutSeconds?: number): Promise<boolean> {
  const list = asArray(ids);
  const timeoutMs = secondsToMs(timeoutSeconds, Infinity);
  const wanted = new Set(list);
  let statuses: TaskStatus[] = [];
  const done = await ctx.events.waitFor(async () => {
    statuses = await taskStatuses(ctx, list);
    const missing = list.filter((_, i) => statuses[i] === 'MISSING');
    if (missing.length > 0) throw new Error(`Task(s) not found: ${quoteList(missing)}`);
    return statuses.every((s) => TASK_FINISHED.has(s)) ? true : undefined;
  }, (e) => e.ref !== undefined && wanted.has(e.ref), timeoutMs);
  if (!done) {
    const pending = list.filter((_, i) => !TASK_FINISHED.has(statuses[i]!));
    throw new TimeoutError(`Tasks not finished after ${timeoutMs / 1000} s: ${quoteList(pending)}`);
  }
  return statuses.every((s) => s === 'COMPLETE');
}

export async function taskResults(ctx: ControllerContext, ids: string[]): Promise<unknown[]> {
  const records = await taskRecords(ctx, ids);
  return records.map((record, i) => {
    if (!record) throw new Error(`Task not found: '${ids[i]}'`);
    if (!TASK_FINISHED.has(record.status) || record.result === undefined) {
      throw new Error(`Task '${ids[i]}' has no result yet (status ${record.status})`);
    }
    return decodeValue(record.result);
  });
}
