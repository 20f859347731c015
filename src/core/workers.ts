// Controller side of workers: who is there, what they are doing, their logs, stopping them,
// cleaning up after them, and their stored configurations.
import { hostname } from 'node:os';
import { asArray, type ControllerContext } from './context';
import { quoteList } from './errors';
import { mergeLogTails, parseLogRecord } from './logs';
import { messageSendTo } from './messages';
import { processStartTime } from './processIdentity';
import {
  DEFAULT_WORKER_CONFIG, parseWorkerConfig, resolveWorkerConfig, serialiseWorkerConfig,
  type LogEntry, type ResolvedWorkerConfig, type WorkerConfig, type WorkerInfo, type WorkerStatus,
} from './protocol';

export async function workerList(ctx: ControllerContext): Promise<string[]> {
  return (await ctx.redis.smembers(ctx.keys.workerIds)).sort();
}

/** Every worker this queue knows of, active or not. */
export async function workerKnown(ctx: ControllerContext): Promise<string[]> {
  return (await ctx.redis.hkeys(ctx.keys.workerStatus)).sort();
}

async function idsOrKnown(ctx: ControllerContext, ids?: string | readonly string[]): Promise<string[]> {
  return ids === undefined ? workerKnown(ctx) : asArray(ids);
}

async function hashFields(ctx: ControllerContext, key: string, ids: string[]): Promise<(string | null)[]> {
  return ids.length === 0 ? [] : ctx.redis.hmget(key, ...ids);
}

export async function workerStatus(
  ctx: ControllerContext, ids?: string | readonly string[],
): Promise<Record<string, WorkerStatus>> {
  const list = await idsOrKnown(ctx, ids);
  const values = await hashFields(ctx, ctx.keys.workerStatus, list);
  const out: Record<string, WorkerStatus> = {};
  list.forEach((id, i) => {
    if (values[i]) out[id] = values[i] as WorkerStatus;
  });
  return out;
}

export async function workerTaskId(
  ctx: ControllerContext, ids?: string | readonly string[],
): Promise<Record<string, string | null>> {
  const list = await idsOrKnown(ctx, ids);
  const values = await hashFields(ctx, ctx.keys.workerTask, list);
  return Object.fromEntries(list.map((id, i) => [id, values[i] ?? null]));
}

export async function workerInfo(
  ctx: ControllerContext, ids?: string | readonly string[],
): Promise<Record<string, WorkerInfo>> {
  const list = await idsOrKnown(ctx, ids);
  const values = await hashFields(ctx, ctx.keys.workerInfo, list);
  const out: Record<string, WorkerInfo> = {};
  list.forEach((id, i) => {
    if (values[i]) out[id] = JSON.parse(values[i]!) as WorkerInfo;
  });
  return out;
}

export interface WorkerLogTailOptions {
  workerIds?: string | readonly string[];
  /** Entries per worker, newest last (default 1; Infinity for all kept). */
  n?: number;
}

export async function workerLogTail(ctx: ControllerContext, options: WorkerLogTailOptions = {}): Promise<LogEntry[]> {
  const n = options.n ?? 1;
  if (!(n >= 0)) throw new Error(`n must be a non-negative number or Infinity, not ${n}`);
  const ids = await idsOrKnown(ctx, options.workerIds);
  if (n === 0 || ids.length === 0) return [];
  const start = Number.isFinite(n) ? -Math.floor(n) : 0;
  const pipeline = ctx.redis.pipeline();
  for (const id of ids) pipeline.lrange(ctx.keys.workerLog(id), start, -1);
  const results = (await pipeline.exec()) ?? [];
  return mergeLogTails(ids.map((id, i) => ((results[i]?.[1] as string[]) ?? []).map((t) => parseLogRecord(id, t))));
}

/**
 * Record that a worker is gone without having said so (killed, or its process died): status
 * EXITED or LOST, out of the active set, one log entry and an event. A worker that exited
 * cleanly is left as it is. Returns whether anything changed.
 */
export async function workerMarkGone(
  ctx: ControllerContext, workerId: string, status: Extract<WorkerStatus, 'EXITED' | 'LOST'>, reason: string,
  logMax = DEFAULT_WORKER_CONFIG.logMax,
): Promise<boolean> {
  return ctx.scripts.workerMarkGone(workerId, status, status === 'LOST' ? 'LOST' : 'STOP', reason, logMax);
}

/** Delete every key and hash field of workers that have exited or been lost. Returns their ids. */
export async function workerDeleteExited(ctx: ControllerContext, ids?: string | readonly string[]): Promise<string[]> {
  const statuses = await workerStatus(ctx, ids);
  const gone = Object.entries(statuses).filter(([, s]) => s === 'EXITED' || s === 'LOST').map(([id]) => id);
  if (ids !== undefined) {
    const active = asArray(ids).filter((id) => statuses[id] && !gone.includes(id));
    if (active.length > 0) throw new Error(`Cannot delete active worker(s): ${quoteList(active)}; stop them first`);
  }
  if (gone.length === 0) return [];
  const k = ctx.keys;
  const multi = ctx.redis.multi();
  for (const id of gone) multi.del(...k.workerKeys(id));
  multi.hdel(k.workerStatus, ...gone).hdel(k.workerInfo, ...gone).hdel(k.workerTask, ...gone).hdel(k.workerQueues, ...gone)
    .srem(k.workerIds, ...gone);
  await multi.exec();
  return gone;
}

/** Whether a worker's process can be signalled from this machine. */
export function isLocalHost(info: WorkerInfo | undefined): boolean {
  return !!info && info.hostname === hostname();
}

/** Ask workers' heartbeats to end their processes (on any host). */
export async function workerKillRequest(ctx: ControllerContext, ids: readonly string[]): Promise<void> {
  const reason = `requested by ${hostname()} pid ${process.pid}`;
  const pipeline = ctx.redis.pipeline();
  for (const id of ids) pipeline.rpush(ctx.keys.workerKill(id), reason).pexpire(ctx.keys.workerKill(id), 60_000);
  await pipeline.exec();
}

/** SIGKILL workers' processes on this host, each only once it is checked to still be that worker. */
export async function workerKillLocal(ctx: ControllerContext, ids: readonly string[]): Promise<void> {
  const info = await workerInfo(ctx, ids);
  const unknown = ids.filter((id) => !info[id]);
  if (unknown.length > 0) throw new Error(`Cannot kill worker(s) with no info record: ${quoteList(unknown)}`);
  const remote = ids.filter((id) => !isLocalHost(info[id]));
  if (remote.length > 0) {
    throw new Error(`Cannot kill worker(s) on another host from here: ${quoteList(remote)}; use type 'kill' (through the heartbeat) or 'message'`);
  }
  const notThem = ids.filter((id) => {
    const { pid, pidStart } = info[id]!;
    return !pidStart || processStartTime(pid) !== pidStart;
  });
  if (notThem.length > 0) {
    throw new Error(`Not killed: process ${notThem.map((id) => `${info[id]!.pid} is no longer worker '${id}'`).join(', ')} (it has ended, or its pid now belongs to another process)`);
  }
  for (const id of ids) {
    try {
      process.kill(info[id]!.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    await workerMarkGone(ctx, id, 'EXITED', 'KILLED');
  }
}

/** Mark LOST the active workers whose heartbeat expired, now. */
export async function workerDetectExited(ctx: ControllerContext): Promise<string[]> {
  return (await ctx.scripts.workerDetectLost(controllerId(), 0, DEFAULT_WORKER_CONFIG.logMax)).lost ?? [];
}

/** Who a controller is, for the detection lock. */
export function controllerId(): string {
  return `controller ${hostname()} ${process.pid}`;
}

export async function workerConfigSave(ctx: ControllerContext, name: string, config: WorkerConfig): Promise<ResolvedWorkerConfig> {
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new Error(`Invalid worker config name ${JSON.stringify(name)}`);
  const resolved = resolveWorkerConfig(config);
  await ctx.redis.hset(ctx.keys.workerConfig, name, serialiseWorkerConfig(resolved));
  return resolved;
}

export async function workerConfigList(ctx: ControllerContext): Promise<string[]> {
  return (await ctx.redis.hkeys(ctx.keys.workerConfig)).sort();
}

export async function workerConfigRead(ctx: ControllerContext, name: string): Promise<ResolvedWorkerConfig> {
  const text = await ctx.redis.hget(ctx.keys.workerConfig, name);
  if (text === null) {
    if (name === 'localhost') return { ...DEFAULT_WORKER_CONFIG };
    throw new Error(`No worker config named '${name}' in queue ${ctx.keys.queueId}`);
  }
  return parseWorkerConfig(text);
}

export async function workerEnvirSet(ctx: ControllerContext, modulePath: string | null, options: { notify?: boolean } = {}): Promise<string[]> {
  if (modulePath !== null && (typeof modulePath !== 'string' || modulePath.trim() === '')) {
    throw new TypeError('workerEnvirSet: the module must be a path (or null to remove it)');
  }
  if (modulePath === null) await ctx.redis.del(ctx.keys.envir);
  else await ctx.redis.set(ctx.keys.envir, modulePath);
  if (options.notify === false) return [];
  return (await messageSendTo(ctx, 'REFRESH', undefined)).workerIds;
}
