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
