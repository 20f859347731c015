// Shared plumbing for rrq's commands: error-safe registration, which workers a command acts
// on (tree items, multi-selection, ids given by automation, or a quick pick), and opening the
// responses panel after a message was sent.
import * as vscode from 'vscode';
import type { Controller } from '../core/controller';
import type { WorkerSnapshot } from '../core/monitor';
import type { RrqSession } from './session';

/** A worker row in the Workers view (the element VS Code passes to context-menu commands). */
export interface WorkerElement {
  readonly kind: 'worker';
  readonly id: string;
}

/** A detail row under a worker (host, pid, ...). */
export interface DetailElement {
  readonly kind: 'detail';
  readonly workerId: string;
  readonly key: string;
}

export type TreeElement = WorkerElement | DetailElement;

/** Commands invoked by automation (tests, other extensions) may pass this instead of tree items. */
export interface AutomationTarget {
  workerIds: string[] | 'all';
  /** The message argument (skips its prompt). */
  args?: unknown;
  /** killWorkers: false skips the confirmation. */
  confirm?: boolean;
  /** stopWorkers: seconds to wait for the workers to exit. */
  timeout?: number;
}

const ACTIVE = new Set(['IDLE', 'BUSY', 'PAUSED']);

export function isActive(w: WorkerSnapshot): boolean {
  return ACTIVE.has(w.status);
}

/** Last error shown by an rrq command (for tests: `rrq._internal.lastError`). */
export let lastError: { command: string; message: string; at: number } | null = null;

export class UserCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Show an error (first line in the toast; the rest behind "Show Details"). Never rejects. */
export function showError(command: string, err: unknown): void {
  const message = errorMessage(err);
  lastError = { command, message, at: Date.now() };
  const [first, ...rest] = message.split('\n');
  const detail = rest.join('\n').trim();
  const text = `rrq: ${first}`;
  if (!detail) {
    void vscode.window.showErrorMessage(text);
    return;
  }
  void Promise.resolve(vscode.window.showErrorMessage(text, 'Show Details')).then(async (pick) => {
    if (pick !== 'Show Details') return;
    const doc = await vscode.workspace.openTextDocument({ content: message, language: 'log' });
    await vscode.window.showTextDocument(doc);
  }).catch(() => {});
}

/** Register a command whose failures become error messages, never unhandled rejections. */
export function registerSafeCommand(name: string, run: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(name, async (...args: unknown[]) => {
    try {
      return await run(...args);
    } catch (err) {
      if (err instanceof UserCancelled) return undefined;
      showError(name, err);
      return undefined;
    }
  });
}

/** The controller, connecting first (without starting a private Redis unless asked). */
export async function connected(session: RrqSession, startRedis = false): Promise<Controller> {
  if (session.controller) return session.controller;
  try {
    return await session.connect({ startRedis });
  } catch (err) {
    throw new Error(`Not connected to Redis: ${errorMessage(err)}. Use "rrq: Connect" or check the settings.`);
  }
}

function isElement(x: unknown): x is TreeElement {
  return typeof x === 'object' && x !== null && ((x as TreeElement).kind === 'worker' || (x as TreeElement).kind === 'detail');
}

function elementWorker(e: TreeElement): string {
  return e.kind === 'worker' ? e.id : e.workerId;
}

export function isAutomationTarget(x: unknown): x is AutomationTarget {
  return typeof x === 'object' && x !== null && !isElement(x) && 'workerIds' in x;
}

/**
 * Worker ids a command was invoked on: (item, selectedItems) from the tree (multi-selection
 * applies to all selected when the item is among them), a worker id or ids, or an
 * AutomationTarget. undefined: nothing given (ask); 'all': every active worker.
 */
export function targetsOf(first: unknown, second: unknown): string[] | 'all' | undefined {
  if (isAutomationTarget(first)) {
    const ids = first.workerIds;
    if (ids === 'all') return 'all';
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new Error('workerIds must be an array of worker ids or "all".');
    return [...ids];
  }
  if (typeof first === 'string') return [first];
  if (Array.isArray(first) && first.every((x) => typeof x === 'string')) return [...first];
  if (isElement(first)) {
    const clicked = elementWorker(first);
    if (Array.isArray(second) && second.length > 1 && second.every(isElement)) {
      const selected = [...new Set(second.map(elementWorker))];
      if (selected.includes(clicked)) return selected;
    }
    return [clicked];
  }
  return undefined;
}

interface WorkerPick extends vscode.QuickPickItem {
  workerId: string | null; // null: all workers
}

/** Quick pick of active workers, "All workers" first; resolves ids or 'all'. */
export async function pickWorkers(session: RrqSession, title: string, options: { allByDefault?: boolean } = {}): Promise<string[] | 'all'> {
  const workers = session.workers.filter(isActive);
  if (workers.length === 0) throw new Error(noWorkersMessage(session));
  const picks: WorkerPick[] = [
    { label: '$(organization) All workers', description: `${workers.length} active`, workerId: null, picked: options.allByDefault ?? true },
    { label: '', kind: vscode.QuickPickItemKind.Separator, workerId: null },
    ...workers.map((w) => ({
      label: w.id,
      description: w.status,
      detail: w.info ? `${w.info.hostname} pid ${w.info.pid}` : undefined,
      workerId: w.id,
    } as WorkerPick)),
  ];
  const chosen = await vscode.window.showQuickPick(picks, {
    title, canPickMany: true, placeHolder: 'Workers to send to ("All workers" sends to every active worker)', ignoreFocusOut: true,
  });
  if (!chosen || chosen.length === 0) throw new UserCancelled();
  if (chosen.some((p) => p.workerId === null)) return 'all';
  return chosen.map((p) => p.workerId!).filter(Boolean);
}

export function noWorkersMessage(session: RrqSession): string {
  const queue = session.state.kind === 'connected' ? ` on queue ${session.state.queueId}` : '';
  return `No active workers${queue}. Start some with "rrq: Spawn Workers".`;
}

/** Resolve 'all' to the active workers' ids now. */
export function resolveAll(session: RrqSession, ids: string[] | 'all'): string[] {
  if (ids !== 'all') return ids;
  const active = session.workers.filter(isActive).map((w) => w.id);
  if (active.length === 0) throw new Error(noWorkersMessage(session));
  return active;
}

/** Open the responses panel after a message was sent. */
export async function showResponses(): Promise<void> {
  try {
    await vscode.commands.executeCommand('rrq.showResponses');
  } catch {
    // The panel is a convenience here; the message was sent.
  }
}
