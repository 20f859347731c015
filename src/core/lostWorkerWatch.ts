// Finding lost workers without anyone asking: every worker, and every long-running controller,
// runs one of these. Each look (workerDetectLost) marks LOST the workers whose heartbeat has
// expired and says when the next look is due: the moment the first live heartbeat would
// expire, or a period later. Whoever looks holds a lock until then, so between them all the
// queue is looked at about once per period, and a dead worker is found a moment after its
// heartbeat expires, not up to a period later.
import type { Scripts } from './scripts';

export interface LostWorkerWatchOptions {
  scripts: Scripts;
  /** Who looks (for the lock): a worker or controller id. */
  caller: string;
  /** The longest time between two looks. */
  periodMs: number;
  logMax: number;
  /** The workers this watch found lost (another watch may find others). */
  onLost(ids: string[]): void;
  /** A look failed (Redis unreachable, say); the next one is a period later. */
  onError?(err: Error): void;
  /** Wraps each look (the worker's connection guard, say). */
  guard?<T>(command: Promise<T>): Promise<T>;
}

export class LostWorkerWatch {
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly o: LostWorkerWatchOptions) {}

  start(firstInMs = 0): void {
    this.schedule(firstInMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.looking = this.look();
    }, Math.max(1, Math.min(ms, this.o.periodMs)));
    this.timer.unref();
  }

  private async look(): Promise<void> {
    let nextMs = this.o.periodMs;
    try {
      const call = this.o.scripts.workerDetectLost(this.o.caller, this.o.periodMs, this.o.logMax);
      const { lost, nextMs: due } = await (this.o.guard ? this.o.guard(call) : call);
      nextMs = due;
      if (lost && lost.length > 0) this.o.onLost(lost);
    } catch (err) {
      this.o.onError?.(err as Error);
    }
    this.schedule(nextMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.looking;
  }
}
