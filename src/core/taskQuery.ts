// Looking at tasks and queues (rrq's task_status, _info, _times, _position, _overview, _list,
// _exists, _progress, _log, deferred_list, queue_list, queue_length). Statuses come from the
// status index, one hash for the whole queue id, so asking about many tasks is one command.
import type { ControllerContext } from './context';
import { decodeValue } from './encoding';
import { TaskMissingError } from './errors';
import { TASK_STATUSES, type TaskStatus } from './protocol';
import { parseTaskRecord, type TaskRecord } from './tasks';

export interface FollowOption {
  /** Follow retried (MOVED) tasks to the task they were retried as (default true). */
  follow?: boolean;
}

export function assertTaskIds(ids: readonly string[], caller: string): void {
  for (const id of ids) {
    if (typeof id !== 'string' || id === '') throw new TypeError(`${caller}: task ids must be non-empty strings, not ${JSON.stringify(id)}`);
  }
}

/** The status of each task ('MISSING' for unknown ids), as stored. */
export async function rawStatuses(ctx: ControllerContext, ids: readonly string[]): Promise<TaskStatus[]> {
  if (ids.length === 0) return [];
  const values = await ctx.redis.hmget(ctx.keys.taskStatus, ...ids);
  return values.map((v) => (v as TaskStatus | null) ?? 'MISSING');
}

/** Where each id's chain of retries ends (the id itself when it was not retried). */
export async function followChains(ctx: ControllerContext, ids: readonly string[]): Promise<string[]> {
  const current = [...ids];
  let open = current.map((_, i) => i);
  for (let depth = 0; open.length > 0 && depth < 1000; depth++) {
    const pipeline = ctx.redis.pipeline();
    for (const i of open) pipeline.hget(ctx.keys.task(current[i]!), 'movedTo');
    const moved = ((await pipeline.exec()) ?? []).map(([, v]) => v as string | null);
    open = open.filter((i, j) => {
      if (!moved[j]) return false;
      current[i] = moved[j]!;
      return true;
    });
  }
  return current;
}

/**
 * The task each id stands for and its status: ids of retried (MOVED) tasks are followed to the
 * end of their chain; the others cost nothing more than the one read of their statuses.
 */
export async function followMoved(ctx: ControllerContext, ids: readonly string[]): Promise<{ targets: string[]; statuses: TaskStatus[] }> {
  const targets = [...ids];
  const statuses = await rawStatuses(ctx, ids);
  const moved = statuses.flatMap((s, i) => (s === 'MOVED' ? [i] : []));
  if (moved.length > 0) {
    const ends = await followChains(ctx, moved.map((i) => ids[i]!));
    const now = await rawStatuses(ctx, ends);
    moved.forEach((i, j) => {
      targets[i] = ends[j]!;
      statuses[i] = now[j]!;
    });
  }
  return { targets, statuses };
}

export async function taskStatuses(ctx: ControllerContext, ids: readonly string[], options: FollowOption = {}): Promise<TaskStatus[]> {
  assertTaskIds(ids, 'taskStatus');
  return options.follow === false ? rawStatuses(ctx, ids) : (await followMoved(ctx, ids)).statuses;
}

/** The full records of tasks (null for unknown ids). */
export async function taskRecords(ctx: ControllerContext, ids: readonly string[]): Promise<(TaskRecord | null)[]> {
  if (ids.length === 0) return [];
  const pipeline = ctx.redis.pipeline().hmget(ctx.keys.taskStatus, ...ids);
  for (const id of ids) pipeline.hgetall(ctx.keys.task(id));
  const [statusReply, ...hashes] = (await pipeline.exec()) ?? [];
  if (statusReply?.[0]) throw statusReply[0];
  const statuses = statusReply?.[1] as (TaskStatus | null)[];
  return ids.map((id, i) => {
    const [err, fields] = hashes[i] ?? [];
    if (err) throw err;
    const status = statuses[i];
    return status ? parseTaskRecord(id, status, fields as Record<string, string>) : null;
  });
}

async function existingRecords(ctx: ControllerContext, ids: readonly string[], caller: string): Promise<TaskRecord[]> {
  const records = await taskRecords(ctx, ids);
  const missing = ids.filter((_, i) => records[i] === null);
  if (missing.length > 0) throw new TaskMissingError(missing, `${caller}: task(s) not found`);
  return records as TaskRecord[];
}

export interface TaskInfo {
  id: string;
  status: TaskStatus;
  queue: string;
  /** What it runs: an expression, a function's source, or an environment export's name. */
  kind: 'expr' | 'call';
  expr?: string;
  fn?: string;
  worker: string | null;
  timeout: number | null;
  separateProcess: boolean;
  /** Automatic retries left for when its worker dies. */
  retry: number;
  dependsOn: string[];
  /** Tasks it still waits for (DEFERRED). */
  waitingFor: number;
  movedTo: string | null;
  movedFrom: string | null;
  times: TaskTimes;
  progress: unknown;
}

export async function taskInfo(ctx: ControllerContext, id: string): Promise<TaskInfo> {
  const [r] = await existingRecords(ctx, [id], 'taskInfo');
  const info: TaskInfo = {
    id, status: r!.status, queue: r!.queue, kind: r!.kind, worker: r!.worker ?? null, timeout: r!.timeout ?? null,
    separateProcess: r!.separate === true, retry: r!.retry ?? 0, dependsOn: r!.dependsOn ?? [], waitingFor: r!.waiting ?? 0,
    movedTo: r!.movedTo ?? null, movedFrom: r!.movedFrom ?? null, times: timesOf(r!),
    progress: r!.progress === undefined ? undefined : decodeValue(r!.progress),
  };
  if (r!.kind === 'call' && r!.fn !== undefined) info.fn = r!.fn;
  else if (r!.source !== undefined) info[r!.kind === 'call' ? 'fn' : 'expr'] = r!.source;
  return info;
}

/** Seconds since the epoch (null: not yet). */
export interface TaskTimes {
  submit: number | null;
  start: number | null;
  complete: number | null;
  moved: number | null;
}

function timesOf(r: TaskRecord): TaskTimes {
  return { submit: r.timeSubmit ?? null, start: r.timeStart ?? null, complete: r.timeComplete ?? null, moved: r.timeMoved ?? null };
}

export async function taskTimes(ctx: ControllerContext, ids: readonly string[]): Promise<Record<string, TaskTimes>> {
  assertTaskIds(ids, 'taskTimes');
  const records = await existingRecords(ctx, ids, 'taskTimes');
  return Object.fromEntries(records.map((r) => [r.id, timesOf(r)]));
}

/** Position of each task in its queue (1 = next to run), 0 when it is not waiting on a queue. */
export async function taskPosition(ctx: ControllerContext, ids: readonly string[], options: { queue?: string } = {}): Promise<number[]> {
  assertTaskIds(ids, 'taskPosition');
  if (ids.length === 0) return [];
  const queues = options.queue !== undefined
    ? ids.map(() => options.queue!)
    : (await ctx.redis.pipeline(ids.map((id) => ['hget', ctx.keys.task(id), 'queue'])).exec() ?? []).map(([, q]) => (q as string | null) ?? 'default');
  const pipeline = ctx.redis.pipeline();
  ids.forEach((id, i) => pipeline.lpos(ctx.keys.queue(queues[i]!), id));
  return ((await pipeline.exec()) ?? []).map(([, pos]) => (typeof pos === 'number' ? pos + 1 : 0));
}

/** How many tasks there are in each status (every status listed, zeros included). */
export async function taskOverview(ctx: ControllerContext): Promise<Record<Exclude<TaskStatus, 'MISSING'>, number>> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<Exclude<TaskStatus, 'MISSING'>, number>;
  for (const status of await ctx.redis.hvals(ctx.keys.taskStatus)) {
    if (status in counts) counts[status as keyof typeof counts] += 1;
  }
  return counts;
}

export async function taskList(ctx: ControllerContext): Promise<string[]> {
  return ctx.redis.hkeys(ctx.keys.taskStatus);
}

export async function taskExists(ctx: ControllerContext, ids: readonly string[]): Promise<boolean[]> {
  assertTaskIds(ids, 'taskExists');
  return (await rawStatuses(ctx, ids)).map((s) => s !== 'MISSING');
}

/** The DEFERRED tasks, each with the statuses of the tasks it depends on. */
export async function deferredList(ctx: ControllerContext): Promise<Record<string, Record<string, TaskStatus>>> {
  const ids = (await ctx.redis.smembers(ctx.keys.taskDeferred)).sort();
  const records = await taskRecords(ctx, ids);
  const ups = [...new Set(records.flatMap((r) => r?.dependsOn ?? []))];
  const statuses = new Map(ups.map((id, i) => [id, i]));
  const upStatus = await rawStatuses(ctx, ups);
  return Object.fromEntries(records.filter((r): r is TaskRecord => r !== null).map((r) => [
    r.id, Object.fromEntries((r.dependsOn ?? []).map((up) => [up, upStatus[statuses.get(up)!]!])),
  ]));
}

/** The queues tasks have been put on ('default' first). */
export async function queueList(ctx: ControllerContext): Promise<string[]> {
  const names = new Set(await ctx.redis.smembers(ctx.keys.queues));
  names.delete('default');
  return ['default', ...[...names].sort()];
}

export async function queueLength(ctx: ControllerContext, queue = 'default'): Promise<number> {
  return ctx.redis.llen(ctx.keys.queue(queue));
}

/** The last progress value a task reported (undefined when none). */
export async function taskProgress(ctx: ControllerContext, id: string): Promise<unknown> {
  const [exists, progress] = await Promise.all([ctx.redis.hexists(ctx.keys.taskStatus, id), ctx.redis.hget(ctx.keys.task(id), 'progress')]);
  if (!exists) throw new TaskMissingError([id], 'taskProgress: task not found');
  return progress === null ? undefined : decodeValue(progress);
}

/** What a task printed (console output and stdout/stderr writes), in order. */
export async function taskLog(ctx: ControllerContext, id: string): Promise<string> {
  const [exists, chunks] = await Promise.all([ctx.redis.hexists(ctx.keys.taskStatus, id), ctx.redis.lrange(ctx.keys.taskLog(id), 0, -1)]);
  if (!exists) throw new TaskMissingError([id], 'taskLog: task not found');
  return chunks.join('');
}
