// Controller side of messages: send, look for responses, wait for them (blocking on Redis
// events, never on a polling interval), fetch and delete them. Responses themselves are read,
// decoded and deleted through responses.ts.
import { secondsToMs, type ControllerContext } from './context';
import { encodeValue } from './encoding';
import { errorCode, NoActiveWorkersError, ResponseMissingError } from './errors';
import { EventWatch, RECONNECTED } from './events';
import { MESSAGE_ID_PATTERN } from './ids';
import { decodeResponse, deleteResponses, hasResponses, readResponses, responseIds } from './responses';
import { retryWhileDisconnected } from './redisConnection';

export interface MessageSendOptions {
  /** Workers to send to (default: every active worker). */
  workerIds?: string | readonly string[];
}

export interface MessageGetResponseOptions {
  workerIds?: string | readonly string[];
  /** Delete the responses after reading them. */
  delete?: boolean;
  /** Seconds to wait for missing responses (default 0: answer now). */
  timeout?: number;
}

export interface MessageSendAndWaitOptions {
  workerIds?: string | readonly string[];
  /** Seconds to wait for all responses (default 600). */
  timeout?: number;
  /** Delete the responses once read (default true). */
  delete?: boolean;
}

function idsOption(ids: string | readonly string[] | undefined): string[] | undefined {
  if (ids === undefined) return undefined;
  const list = typeof ids === 'string' ? [ids] : [...ids];
  for (const id of list) {
    if (typeof id !== 'string' || id === '') throw new Error(`Invalid worker id ${JSON.stringify(id)}`);
  }
  return list;
}

function assertMessageId(id: string): void {
  if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) {
    throw new Error(`Invalid message id ${JSON.stringify(id)}: expected '<seconds>.<microseconds>' as returned by messageSend`);
  }
}

export async function messageSendTo(
  ctx: ControllerContext, command: string, args: unknown, options: MessageSendOptions = {},
): Promise<{ id: string; workerIds: string[] }> {
  if (typeof command !== 'string' || !/^[A-Z_]+$/i.test(command)) {
    throw new Error(`Invalid message command ${JSON.stringify(command)}`);
  }
  const ids = idsOption(options.workerIds);
  if (ids && ids.length === 0) throw new Error('Message not sent: the list of workers is empty');
  const encoded = encodeValue(args);
  const deletions = ctx.janitor.take();
  try {
    return await ctx.scripts.messageSend(command.toUpperCase(), encoded, ids, deletions);
  } catch (err) {
    // The script deletes before it validates, but a failure on the way there must not lose them.
    if (errorCode(err) !== 'WORKER_INACTIVE') ctx.janitor.restore(deletions);
    throw err;
  }
}

async function defaultWorkers(ctx: ControllerContext, ids: string | readonly string[] | undefined): Promise<string[]> {
  return idsOption(ids) ?? (await ctx.redis.smembers(ctx.keys.workerIds)).sort();
}

export async function messageHasResponse(
  ctx: ControllerContext, id: string, workerIds?: string | readonly string[],
): Promise<Record<string, boolean>> {
  assertMessageId(id);
  await ctx.janitor.flush();
  const ids = await defaultWorkers(ctx, workerIds);
  const has = await hasResponses(ctx.redis, ctx.keys, id, ids);
  return Object.fromEntries(ids.map((w, i) => [w, has[i]!]));
}

export async function messageResponseIds(ctx: ControllerContext, workerId: string): Promise<string[]> {
  await ctx.janitor.flush();
  return responseIds(ctx.redis, ctx.keys, workerId);
}

/**
 * Collect the responses of `workers` to message `id`. Events (subscribed before anything is
 * read) tell which worker has just answered, so each wake-up reads only that worker's field;
 * a reconnect or the deadline makes it read every missing one. A worker that stops or is lost
 * without answering is not waited for: once every missing worker is gone, it fails at once.
 * Deletes only once all arrived, so an error never loses a response.
 */
async function collectResponses(
  ctx: ControllerContext, id: string, workers: string[], watch: EventWatch,
  options: { timeoutMs: number; delete: 'now' | 'later' | false; checkFirst: boolean; missingDetail?: string },
): Promise<Record<string, unknown>> {
  const found = new Map<string, string>();
  const targeted = new Set(workers);
  const gone = new Map<string, string>();
  let toRead = new Set<string>(options.checkFirst ? workers : []);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    for (const event of watch.drain()) {
      if (event.command === RECONNECTED) workers.forEach((w) => toRead.add(w));
      else if ((event.command === 'STOP' || event.command === 'LOST') && targeted.has(event.worker)) {
        // (A worker that stops answers what it holds first; a lost one cannot.)
        gone.set(event.worker, `${event.command === 'LOST' ? 'lost' : 'stopped'}: ${event.message}`);
        toRead.add(event.worker);
      } else if (event.ref === id && event.command === 'RESPONSE' && targeted.has(event.worker)) {
        if (event.response !== undefined) found.set(event.worker, event.response);
        else toRead.add(event.worker);
      }
    }
    const missingBefore = workers.length - found.size;
    const pending = [...toRead].filter((w) => !found.has(w));
    toRead = new Set();
    if (pending.length > 0) {
      // Across a reconnect: the read is made again once Redis is back (responses are never lost).
      const values = await retryWhileDisconnected(ctx.redis, () => readResponses(ctx.redis, ctx.keys, id, pending));
      pending.forEach((w, i) => {
        const v = values[i];
        if (v !== null && v !== undefined) found.set(w, v);
      });
    }
    if (found.size === workers.length) break;
    const missing = workers.filter((w) => !found.has(w));
    if (missing.every((w) => gone.has(w))) {
      const why = missing.map((w) => `'${w}' ${gone.get(w)}`).join('; ');
      throw new ResponseMissingError(id, missing, `${options.missingDetail ?? ''}: the worker${missing.length > 1 ? 's' : ''} left without answering (${why})`);
    }
    const readEverything = pending.length === missingBefore;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      if (readEverything) break;
      workers.forEach((w) => toRead.add(w)); // One last full look before giving up.
    } else if (!(await watch.next(remaining))) {
      workers.forEach((w) => toRead.add(w));
    }
  }
  const absent = workers.filter((w) => !found.has(w));
  if (absent.length > 0) throw new ResponseMissingError(id, absent, options.missingDetail ?? '');
  if (options.delete === 'later') {
    // Not awaited: the deletion goes with this controller's next message, or on its own a moment
    // later; this controller's own reads flush it first, so to it the responses are gone at once.
    ctx.janitor.add(workers, id);
  } else if (options.delete === 'now') {
    await deleteResponses(ctx.redis, ctx.keys, id, workers);
  }
  return Object.fromEntries(workers.map((w) => [w, decodeResponse(found.get(w)!)]));
}

export async function messageGetResponse(
  ctx: ControllerContext, id: string, options: MessageGetResponseOptions = {},
): Promise<Record<string, unknown>> {
  assertMessageId(id);
  await ctx.janitor.flush();
  const workers = await defaultWorkers(ctx, options.workerIds);
  const timeoutMs = secondsToMs(options.timeout, 0);
  const watch = timeoutMs > 0 ? await EventWatch.start(ctx.events) : EventWatch.idle();
  try {
    return await collectResponses(ctx, id, workers, watch, { timeoutMs, delete: options.delete ? 'now' : false, checkFirst: true });
  } finally {
    watch.stop();
  }
}

export async function messageSendAndWait(
  ctx: ControllerContext, command: string, args: unknown, options: MessageSendAndWaitOptions = {},
): Promise<Record<string, unknown>> {
  const timeout = options.timeout ?? 600;
  const timeoutMs = secondsToMs(timeout, 600);
  // Listening starts before the send, so no response can be missed and none needs a first look.
  const watch = await EventWatch.start(ctx.events);
  try {
    const sent = await messageSendTo(ctx, command, args, options.workerIds === undefined ? {} : { workerIds: options.workerIds });
    if (sent.workerIds.length === 0) throw new NoActiveWorkersError(`Message ${command} not sent: there are no active workers`);
    return await collectResponses(ctx, sent.id, sent.workerIds, watch, {
      timeoutMs,
      delete: (options.delete ?? true) ? 'later' : false,
      checkFirst: false,
      missingDetail: ` (message ${sent.id} ${command.toUpperCase()}, timeout ${timeout} s)`,
    });
  } finally {
    watch.stop();
  }
}
