// The status bar item: connection and worker counts ("rrq: 3 workers, 1 busy"); a warning
// when Redis is unreachable. Clicking offers reconnect, settings and the workers view
// (commands/statusBarActions.ts).
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

export function registerStatusBar(session: RrqSession): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('rrq.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'rrq';
  item.command = 'rrq.statusBarActions';
  const render = () => {
    const state = session.state;
    item.backgroundColor = undefined;
    switch (state.kind) {
      case 'connected':
        item.text = `$(server-process) rrq: ${describeWorkers(session.workers)}`;
        item.tooltip = `rrq queue ${state.queueId} on ${state.redis}`;
        break;
      case 'connecting':
        item.text = '$(loading~spin) rrq: connecting';
        item.tooltip = 'Connecting to Redis';
        break;
      case 'error':
        item.text = '$(warning) rrq: Redis unreachable';
        item.tooltip = state.message;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
      default:
        item.text = '$(debug-disconnect) rrq: not connected';
        item.tooltip = 'Click to connect';
    }
    item.show();
  };
  render();
  return vscode.Disposable.from(item, session.onDidChangeState(render), session.onDidChangeWorkers(render));
}
