// rrq.stopWorkers: send STOP (workers finish their task first), wait for them to exit, and
// offer to kill those still running after the timeout. Automation: { workerIds, timeout? }.
import * as vscode from 'vscode';
import { isActiveWorkerStatus } from '../../core/protocol';
import type { RrqSession } from '../session';
import type { CommandContext } from './context';
import { isAutomationTarget, sendTracked, targetsOrPick } from './support';

const STOP_TIMEOUT_S = 15;

/** Resolves, once every id has left (or after the timeout), with the ids still running. */
function waitForExit(session: RrqSession, ids: string[], timeoutMs: number): Promise<string[]> {
  const running = () => ids.filter((id) => {
    const w = session.workers.find((x) => x.id === id);
    return w !== undefined && isActiveWorkerStatus(w.status);
  });
  if (running().length === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve(running());
    };
    const timer = setTimeout(done, timeoutMs);
    const sub = session.onDidChangeWorkers(() => {
      if (running().length === 0) done();
    });
  });
}

function offerKill(ctx: CommandContext, left: string[], timeoutS: number): void {
  const busy = left.filter((id) => ctx.session.workers.find((w) => w.id === id)?.status === 'BUSY');
  const why = busy.length > 0 ? ` (${busy.length} busy: they stop after their current task)` : '';
  void ctx.notifications.warn(
    `rrq: ${left.length} worker${left.length === 1 ? '' : 's'} still running after ${timeoutS} s${why}: ${left.join(', ')}`,
    { title: 'Kill', command: 'rrq.killWorkers', arguments: [{ workerIds: left, confirm: false }] },
  );
}

export async function stopWorkers(ctx: CommandContext, first?: unknown, second?: unknown): Promise<string[]> {
  const targets = await targetsOrPick(ctx, first, second, 'rrq: Stop Workers (STOP message)');
  const timeoutS = isAutomationTarget(first) && typeof first.timeout === 'number' ? first.timeout : STOP_TIMEOUT_S;
  const count = targets === 'all' ? 'all' : String(targets.length);
  const { ids, left } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Stopping ${count} worker${count === '1' ? '' : 's'}…` },
    async () => {
      const sent = await sendTracked(ctx, 'STOP', undefined, targets);
      return { ids: sent.workerIds, left: await waitForExit(ctx.session, sent.workerIds, timeoutS * 1000) };
    },
  );
  if (left.length > 0) offerKill(ctx, left, timeoutS);
  return ids.filter((id) => !left.includes(id));
}
