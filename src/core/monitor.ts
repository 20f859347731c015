// A live view of a queue's workers for user interfaces: who is there, their status, info and
// current task. Pushed, not polled: every event that can follow a change of the worker hashes
// schedules one re-read of them (coalesced, so a burst of events costs one read); events that
// cannot (a PING and its answer) cost nothing.
import type { ControllerContext } from './context';
import { RECONNECTED } from './events';
import {
  MESSAGES_CHANGING_WORKER_RECORD, type EventRecord, type MessageCommand, type WorkerActivity, type WorkerInfo, type WorkerStatus,
} from './protocol';

export interface WorkerSnapshot {
  id: string;
  status: WorkerStatus;
  info: WorkerInfo | null;
  /** Task being run, if BUSY. */
  taskId: string | null;
  /** When the current task started (seconds since the epoch). */
  taskStarted: number | null;
  /** A message it has been busy with for a while (a long EVAL, say). */
  activity: WorkerActivity | null;
}

export type SnapshotListener = (workers: WorkerSnapshot[]) => void;

/** Log entries a worker writes together with a change of its status, info or task. */
const WORKER_RECORD_ENTRIES: ReadonlySet<string> = new Set(['ALIVE', 'STOP', 'LOST', 'BACK']);

/** Whether an event may follow a change of the worker hashes, so that a view should re-read them. */
export function changesWorkerRecords(event: EventRecord): boolean {
  if (event.command === RECONNECTED || event.status !== undefined) return true;
  if (WORKER_RECORD_ENTRIES.has(event.command) || event.command.startsWith('TASK_')) return true;
  return event.command === 'RESPONSE' && MESSAGES_CHANGING_WORKER_RECORD.has(event.message as MessageCommand);
}

export class WorkerMonitor {
  private snapshot: WorkerSnapshot[] = [];
  private readonly changeListeners = new Set<SnapshotListener>();
  private unlisten: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readCount = 0;

  constructor(private readonly ctx: ControllerContext, private readonly coalesceMs = 25) {}

  async start(): Promise<void> {
    this.unlisten = await this.ctx.events.listen((event) => {
      if (changesWorkerRecords(event)) this.schedule();
    });
    await this.refresh();
  }

  get workers(): WorkerSnapshot[] {
    return this.snapshot;
  }

  /** How many times the worker hashes have been read (what a burst of events costs). */
  get reads(): number {
    return this.readCount;
  }

  onChange(listener: SnapshotListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
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
    this.readCount += 1;
    const k = this.ctx.keys;
    const [statusRes, infoRes, taskRes, activityRes] = (await this.ctx.redis.pipeline()
      .hgetall(k.workerStatus).hgetall(k.workerInfo).hgetall(k.workerTask).hgetall(k.workerActivity).exec()) ?? [];
    const statuses = (statusRes?.[1] ?? {}) as Record<string, string>;
    const infos = (infoRes?.[1] ?? {}) as Record<string, string>;
    const tasks = (taskRes?.[1] ?? {}) as Record<string, string>;
    const activities = (activityRes?.[1] ?? {}) as Record<string, string>;
    const busy = Object.entries(tasks);
    const starts = busy.length === 0 ? [] : ((await this.ctx.redis.pipeline(
      busy.map(([, taskId]) => ['hget', k.task(taskId), 'timeStart']),
    ).exec()) ?? []).map(([, v]) => (v === null || v === undefined ? null : Number(v)));
    const started = new Map(busy.map(([worker], i) => [worker, starts[i] ?? null]));
    const next: WorkerSnapshot[] = Object.keys(statuses).sort().map((id) => {
      const info = parseJson<WorkerInfo>(infos[id]);
      return {
        id,
        status: statuses[id] as WorkerStatus,
        info,
        taskId: tasks[id] ?? null,
        taskStarted: started.get(id) ?? null,
        activity: parseJson<WorkerActivity>(activities[id]),
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
  }
}

/** A record written by a worker, or null when there is none (or it cannot be read). */
function parseJson<T>(text: string | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
