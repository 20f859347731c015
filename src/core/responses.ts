// Every read, decode and deletion of the responses that workers write (one hash per worker,
// message id -> response record) goes through this module: the waiting functions of
// messages.ts and the MessageTracker of user interfaces alike.
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { decodeValue } from './encoding';
import type { QueueKeys } from './keys';
import type { ResponseRecord } from './protocol';

/** A response record (as stored, or as carried inline by a RESPONSE event) to its value. */
export function decodeResponse(text: string): unknown {
  let record: ResponseRecord;
  try {
    record = JSON.parse(text) as ResponseRecord;
  } catch {
    return new Error(`Unreadable response record: ${text.slice(0, 200)}`);
  }
  try {
    return decodeValue(record.result);
  } catch (err) {
    return new Error(`Unreadable response value for message ${record.id}: ${(err as Error).message}`);
  }
}

/**
 * Responses that have been read and are to be deleted. They ride along with the next message
 * sent (one command instead of two), or go on their own shortly after, so none stays behind.
 * A controller's own reads flush them first, so to it they are gone at once.
 */
export class ResponseJanitor {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: Redis, private readonly keys: QueueKeys, private readonly delayMs = 20) {}

  add(workerIds: readonly string[], messageId: string): void {
    for (const w of workerIds) this.pending.push(w, messageId);
    if (!this.timer) {
      // A failed flush is not retried on a timer: a closed connection would retry forever.
      this.timer = setTimeout(() => void this.flush().catch(() => {}), this.delayMs);
      this.timer.unref();
    }
  }

  /** Take the pending deletions as (worker id, message id) pairs, flattened. */
  take(): string[] {
    const pairs = this.pending;
    this.pending = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return pairs;
  }

  /** Put back deletions taken by a send that failed before it could make them. */
  restore(pairs: readonly string[]): void {
    for (let i = 0; i < pairs.length; i += 2) this.add([pairs[i]!], pairs[i + 1]!);
  }

  async flush(): Promise<void> {
    const pairs = this.take();
    if (pairs.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (let i = 0; i < pairs.length; i += 2) pipeline.hdel(this.keys.workerResponse(pairs[i]!), pairs[i + 1]!);
    await pipeline.exec();
  }
}

/** One command per worker, in one pipeline; the replies in the same order (a failed one throws). */
async function perWorker<T>(
  redis: Redis, workerIds: readonly string[], add: (pipeline: ChainableCommander, workerId: string) => void,
): Promise<T[]> {
  if (workerIds.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const w of workerIds) add(pipeline, w);
  const results = (await pipeline.exec()) ?? [];
  return results.map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}

/** The response record of each worker to message `id` (null where there is none yet). */
export function readResponses(redis: Redis, keys: QueueKeys, id: string, workerIds: readonly string[]): Promise<(string | null)[]> {
  return perWorker(redis, workerIds, (p, w) => p.hget(keys.workerResponse(w), id));
}

/** Whether each worker has answered message `id`. */
export async function hasResponses(redis: Redis, keys: QueueKeys, id: string, workerIds: readonly string[]): Promise<boolean[]> {
  return (await perWorker<number>(redis, workerIds, (p, w) => p.hexists(keys.workerResponse(w), id))).map((n) => n === 1);
}

/** Ids of the messages a worker has answered and nobody has deleted, oldest first. */
export async function responseIds(redis: Redis, keys: QueueKeys, workerId: string): Promise<string[]> {
  const ids = await redis.hkeys(keys.workerResponse(workerId));
  // Zero-padded ids sort correctly as strings; numeric order decides between different lengths of seconds.
  return ids.sort((a, b) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Delete the responses of `workerIds` to message `id` now. */
export async function deleteResponses(redis: Redis, keys: QueueKeys, id: string, workerIds: readonly string[]): Promise<void> {
  await perWorker(redis, workerIds, (p, w) => p.hdel(keys.workerResponse(w), id));
}
