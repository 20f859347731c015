// The status bar item: connection and worker counts ("rrq: 3 workers, 1 busy"); a warning
// when Redis is unreachable or the connection dropped ("disconnected, reconnecting…").
// Clicking offers reconnect, settings and the workers view (commands/statusBarActions.ts).
import * as vscode from 'vscode';
import type { WorkerSnapshot } from '../core/monitor';
import { isActiveWorkerStatus } from '../core/protocol';
import type { RrqSession } from './session';

export function describeWorkers(workers: readonly WorkerSnapshot[]): string {
  const live = workers.filter((w) => isActiveWorkerStatus(w.status));
  const busy = live.filter((w) => w.status === 'BUSY').length;
  const paused = live.filter((w) => w.status === 'PAUSED').length;
  const parts = [`${live.length} worker${live.length === 1 ? '' : 's'}`];
  if (busy) parts.push(`${busy} busy`);
  if (paused) parts.push(`${paused} paused`);
  return parts.join(', ');
}

/** What the status bar item shows, as data. */
export interface StatusBarSnapshot {
  text: string;
  tooltip: string;
  /** Shown on the warning background (Redis unreachable, or the connection dropped). */
  warning: boolean;
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rrq.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly session: RrqSession) {
    this.item.name = 'rrq';
    this.item.command = 'rrq.statusBarActions';
    this.render();
    this.subscriptions = [session.onDidChangeState(() => this.render()), session.onDidChangeWorkers(() => this.render())];
  }

  private render(): void {
    const { item } = this;
    const state = this.session.state;
    const warning = new vscode.ThemeColor('statusBarItem.warningBackground');
    item.backgroundColor = undefined;
    switch (state.kind) {
      case 'connected':
        item.text = `$(server-process) rrq: ${describeWorkers(this.session.workers)}`;
        item.tooltip = `rrq queue ${state.queueId} on ${state.redis}`;
        break;
      case 'connecting':
        item.text = '$(loading~spin) rrq: connecting';
        item.tooltip = 'Connecting to Redis';
        break;
      case 'reconnecting':
        item.text = '$(debug-disconnect) rrq: disconnected, reconnecting…';
        item.tooltip = `Lost the connection to Redis at ${state.redis} (${state.reason}). rrq reconnects by itself; click to reconnect now or open the settings.`;
        item.backgroundColor = warning;
        break;
      case 'error':
        item.text = '$(warning) rrq: Redis unreachable';
        item.tooltip = state.message;
        item.backgroundColor = warning;
        break;
      default:
        item.text = '$(debug-disconnect) rrq: not connected';
        item.tooltip = 'Click to connect';
    }
    item.show();
  }

  snapshot(): StatusBarSnapshot {
    const tooltip = this.item.tooltip;
    return {
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : tooltip?.value ?? '',
      warning: this.item.backgroundColor !== undefined,
    };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
