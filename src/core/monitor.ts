// A live view of a queue's workers for user interfaces: who is there, their status, info and
// current task. Pushed, not polled: every event on the queue's channel schedules one re-read
// of the three worker hashes (coalesced, so a burst of events costs one read).
import type { ControllerContext } from './context';
import type { EventRecord, WorkerInfo, WorkerStatus } from './protocol';

export interface WorkerSnapshot {
  id: string;
  status: WorkerStatus;
  info: WorkerInfo | null;
  /** Task being run, if BUSY. */
  taskId: string | null;
  /** When the current task started (seconds since the epoch). */
  taskStarted: number | null;
}

export type SnapshotListener = (workers: WorkerSnapshot[]) => void;
export type EventListener = (event: EventRecord) => void;

export class WorkerMonitor {
  private snapshot: WorkerSnapshot[] = [];
  private readonly changeListeners = new Set<SnapshotListener>();
  private readonly eventListeners = new Set<EventListener>();
  private unlisten: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly ctx: ControllerContext, private readonly coalesceMs = 25) {}

  async start(): Promise<void> {
    this.unlisten = await this.ctx.events.listen((event) => {
      for (const listener of [...this.eventListeners]) listener(event);
      this.schedule();
    });
    await this.refresh();
  }

  get workers(): WorkerSnapshot[] {
    return this.snapshot;
  }

  onChange(listener: SnapshotListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Every event (log entry) of every worker, as it happens. */
  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh().catch(() => { /* the next event or an explicit refresh tries again */ });
    }, this.coalesceMs);
  }

  /** Re-read every worker now (one pipeline), then tell listeners if anything changed. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          await this.readOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const k = this.ctx.keys;
    const [statusRes, infoRes, taskRes] = (await this.ctx.redis.pipeline()
      .hgetall(k.workerStatus).hgetall(k.workerInfo).hgetall(k.workerTask).exec()) ?? [];
    const statuses = (statusRes?.[1] ?? {}) as Record<string, string>;
    const infos = (infoRes?.[1] ?? {}) as Record<string, string>;
    const tasks = (taskRes?.[1] ?? {}) as Record<string, string>;
    const busy = Object.entries(tasks);
    const starts = busy.length === 0 ? [] : ((await this.ctx.redis.pipeline(
      busy.map(([, taskId]) => ['hget', k.task(taskId), 'timeStart']),
    ).exec()) ?? []).map(([, v]) => (v === null || v === undefined ? null : Number(v)));
    const started = new Map(busy.map(([worker], i) => [worker, starts[i] ?? null]));
    const next: WorkerSnapshot[] = Object.keys(statuses).sort().map((id) => {
      let info: WorkerInfo | null = null;
      try {
        info = infos[id] ? (JSON.parse(infos[id]!) as WorkerInfo) : null;
      } catch {
        info = null;
      }
      return {
        id,
        status: statuses[id] as WorkerStatus,
        info,
        taskId: tasks[id] ?? null,
        taskStarted: started.get(id) ?? null,
      };
    });
    if (JSON.stringify(next) === JSON.stringify(this.snapshot)) return;
    this.snapshot = next;
    for (const listener of [...this.changeListeners]) listener(next);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unlisten?.();
    this.changeListeners.clear();
    this.eventListeners.clear();
  }
}
