// What a worker's main thread and its heartbeat thread say to each other.
import type { RedisOptions } from 'ioredis';

export interface HeartbeatStart {
  /** Where Redis is (options as the worker's own connections use them). */
  redis: RedisOptions;
  queueId: string;
  workerId: string;
  /** Milliseconds between beats; the heartbeat key lives three of them. */
  periodMs: number;
  logMax: number;
}

export type FromHeartbeat =
  /** A beat failed (Redis unreachable, say): for the worker's log file. */
  | { type: 'problem'; message: string }
  /** A kill request was taken: the process ends now. */
  | { type: 'kill'; reason: string };
