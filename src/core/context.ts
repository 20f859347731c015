import type Redis from 'ioredis';
import type { EventHub } from './events';
import type { QueueKeys } from './keys';
import type { RedisTarget } from './redisConnection';

/** What the controller's parts share: one command connection, the key schema and the event hub. */
export interface ControllerContext {
  readonly redis: Redis;
  readonly keys: QueueKeys;
  readonly events: EventHub;
  readonly target: RedisTarget;
  readonly janitor: ResponseJanitor;
}

/**
 * Responses that have been read and are to be deleted. They ride along with the next message
 * sent (one command instead of two), or go on their own shortly after, so none stays behind.
 */
export class ResponseJanitor {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: Redis, private readonly keys: QueueKeys, private readonly delayMs = 20) {}

  add(workerIds: readonly string[], messageId: string): void {
    for (const w of workerIds) this.pending.push(w, messageId);
    if (!this.timer) {
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

  async flush(): Promise<void> {
    const pairs = this.take();
    if (pairs.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (let i = 0; i < pairs.length; i += 2) pipeline.hdel(this.keys.workerResponse(pairs[i]!), pairs[i + 1]!);
    await pipeline.exec();
  }
}

/** Seconds (rrq's unit for timeouts) to milliseconds; Infinity stays Infinity. */
export function secondsToMs(seconds: number | undefined, fallback: number): number {
  const s = seconds ?? fallback;
  if (typeof s !== 'number' || Number.isNaN(s) || s < 0) {
    throw new Error(`A timeout must be a non-negative number of seconds (or Infinity), not ${String(seconds)}`);
  }
  return s * 1000;
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export function asArray(ids: string | readonly string[]): string[] {
  return typeof ids === 'string' ? [ids] : [...ids];
}

export function quoteList(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(', ');
}
