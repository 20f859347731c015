// Tells the user when a worker is lost: every change to LOST in the session's worker lists,
// whoever found it (this window's detection, another controller, a worker, or this window
// seeing its own child exit), gives one warning naming the worker and why (its last log
// entry), with a button to its log. The first list of each connection is only noted: workers
// already LOST then were lost before this window looked, and are no news.
import type { WorkerMonitor, WorkerSnapshot } from '../core/monitor';
import type { WorkerStatus } from '../core/protocol';
import type * as vscode from 'vscode';
import type { ExtensionLog } from './log';
import type { Notifications } from './notifications';
import type { RrqSession } from './session';

/** More lost at once than this make one notification for all of them. */
const ONE_BY_ONE = 3;

export class LostWorkers implements vscode.Disposable {
  /** The monitor the statuses below came from: a new one (a new connection) starts afresh. */
  private monitor: WorkerMonitor | null = null;
  private statuses = new Map<string, WorkerStatus>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: RrqSession, private readonly notifications: Notifications, private readonly log: ExtensionLog) {
    this.subscription = session.onDidChangeWorkers((workers) => this.update(workers));
  }

  private update(workers: readonly WorkerSnapshot[]): void {
    const monitor = this.session.monitor;
    const known = monitor !== null && monitor === this.monitor;
    const lost = known ? workers.filter((w) => w.status === 'LOST' && this.statuses.get(w.id) !== 'LOST').map((w) => w.id) : [];
    this.monitor = monitor;
    this.statuses = new Map(workers.map((w) => [w.id, w.status]));
    if (lost.length > 0) void this.notify(lost).catch(this.log.swallow(`telling of lost workers ${lost.join(', ')}`));
  }

  private async notify(ids: string[]): Promise<void> {
    this.log.warn(`Lost: ${ids.join(', ')}`);
    const reasons = await this.reasons(ids);
    if (ids.length <= ONE_BY_ONE) {
      for (const id of ids) {
        const why = reasons.get(id);
        void this.notifications.warn(`rrq: worker ${id} is lost${why ? `: ${why}` : ''}.`, { title: 'Show Log', command: 'rrq.showWorkerLog', arguments: [id] });
      }
      return;
    }
    const distinct = new Set(ids.map((id) => reasons.get(id)));
    const why = distinct.size === 1 ? [...distinct][0] : undefined;
    void this.notifications.warn(
      `rrq: ${ids.length} workers are lost${why ? ` (${why})` : ''}: ${ids.slice(0, ONE_BY_ONE).join(', ')} and ${ids.length - ONE_BY_ONE} more.`,
      { title: 'Show Workers', command: 'rrq.workers.focus' },
    );
  }

  /** Why each was lost: its last log entry, which whoever marked it LOST wrote with the status. */
  private async reasons(ids: string[]): Promise<Map<string, string>> {
    const ctl = this.session.controller;
    if (!ctl) return new Map();
    try {
      // A few entries, not one: a worker that comes back at once may have written after it.
      const entries = await ctl.workerLogTail({ workerIds: ids, n: 3 });
      return new Map(entries.filter((e) => e.command === 'LOST' && e.message).map((e) => [e.workerId, e.message]));
    } catch (err) {
      this.log.swallow('reading why workers were lost')(err);
      return new Map();
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
