// The worker's side of staying alive: its heartbeat thread (heartbeatThread.ts); its watch for
// lost workers (core/lostWorkerWatch.ts: the workers of a queue find their dead without any
// controller); and, on the main thread every period, its housekeeping: noticing that it was
// itself declared lost (a link that came back) and coming back, and deleting the answers to
// messages nobody can wait for once they are old.
import type Redis from 'ioredis';
import { Worker as Thread } from 'node:worker_threads';
import heartbeatSource from 'rrq:heartbeat';
import type { QueueKeys } from '../core/keys';
import { LostWorkerWatch } from '../core/lostWorkerWatch';
import type { Scripts } from '../core/scripts';
import type { FromHeartbeat, HeartbeatStart } from './heartbeatProtocol';

export interface HousekeepingContext {
  readonly workerId: string;
  readonly redis: Redis;
  readonly keys: QueueKeys;
  readonly scripts: Scripts;
  readonly periodMs: number;
  readonly logMax: number;
  print(text: string): void;
  /** Commands on the worker's connection fail, not hang, when it drops (InFlightGuard). */
  guard<T>(command: Promise<T>): Promise<T>;
  /** Called when the worker finds itself declared LOST while it is not stopping. */
  comeBack(): Promise<void>;
  /** Called when the worker's records are gone from Redis (its queue destroyed, say). */
  forgotten(): void;
  stopping(): boolean;
}

export class Heartbeat {
  private thread: Thread | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private watch: LostWorkerWatch | null = null;

  constructor(private readonly w: HousekeepingContext, private readonly start: HeartbeatStart) {}

  begin(): void {
    const thread = new Thread(heartbeatSource, { eval: true, workerData: this.start, stdout: false, stderr: false });
    thread.on('message', (m: FromHeartbeat) => {
      if (m.type === 'problem') this.w.print(m.message);
      else this.w.print(`KILLED through the heartbeat (${m.reason})`);
    });
    thread.on('error', (err) => this.w.print(`The heartbeat thread failed: ${err.message}`));
    this.thread = thread;
    this.watch = new LostWorkerWatch({
      scripts: this.w.scripts, caller: this.w.workerId, periodMs: this.w.periodMs, logMax: this.w.logMax,
      onLost: (ids) => this.w.print(`Found lost (heartbeat expired): ${ids.join(', ')}`),
      guard: (command) => this.w.guard(command),
    });
    this.watch.start(this.w.periodMs);
    // One round at a time: the next is timed from the end of the last. (Over a cut link a round
    // hangs until the link returns; rounds started meanwhile would all read LOST then, and
    // each come back again.)
    const tick = () => {
      this.running = this.housekeep()
        .catch((err: Error) => this.w.print(`(housekeeping: ${err.message})`))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.w.periodMs);
        });
    };
    this.timer = setTimeout(tick, this.w.periodMs);
  }

  private async housekeep(): Promise<void> {
    const { redis, keys, workerId } = this.w;
    const [[, status], [, active], [, due]] = (await this.w.guard(redis.pipeline()
      .hget(keys.workerStatus, workerId)
      .sismember(keys.workerIds, workerId)
      .zrangebyscore(keys.workerExpiring(workerId), '-inf', Date.now() / 1000, 'LIMIT', 0, 1000)
      .exec())) as [[unknown, string | null], [unknown, number], [unknown, string[]]];
    if (due.length > 0) {
      await this.w.guard(redis.multi().hdel(keys.workerResponse(workerId), ...due).zrem(keys.workerExpiring(workerId), ...due).exec());
    }
    if (this.w.stopping()) return;
    // Its records gone (its queue destroyed, or it was deleted as lost): it stops. Declared lost
    // (or, by a write that crossed that, active no more): it registers again.
    if (status === null) this.w.forgotten();
    else if (status === 'LOST' || !active) await this.w.comeBack();
  }

  async end(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.watch?.stop();
    await this.running;
    await this.thread?.terminate();
    this.thread = null;
  }
}
