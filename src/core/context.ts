// What the controller's parts share, and small helpers for their arguments.
import type Redis from 'ioredis';
import type { EventHub } from './events';
import type { QueueKeys } from './keys';
import type { RedisTarget } from './redisConnection';
import type { ResponseJanitor } from './responses';
import type { Scripts } from './scripts';

/** One command connection, the key schema, the scripts, the event hub and the response janitor. */
export interface ControllerContext {
  readonly redis: Redis;
  readonly keys: QueueKeys;
  readonly scripts: Scripts;
  readonly events: EventHub;
  readonly target: RedisTarget;
  readonly janitor: ResponseJanitor;
}

/** Seconds (rrq's unit for timeouts) to milliseconds; Infinity stays Infinity. */
export function secondsToMs(seconds: number | undefined, fallback: number): number {
  const s = seconds ?? fallback;
  if (typeof s !== 'number' || Number.isNaN(s) || s < 0) {
    throw new Error(`A timeout must be a non-negative number of seconds (or Infinity), not ${String(seconds)}`);
  }
  return s * 1000;
}

export function asArray(ids: string | readonly string[]): string[] {
  return typeof ids === 'string' ? [ids] : [...ids];
}
