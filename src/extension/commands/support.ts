// What the commands share: the controller (connecting first), which workers a command acts on
// (tree items, multi-selection, ids given by automation, or one quick pick for every command),
// a message's argument, and sending a message so that the responses panel shows it.
import * as vscode from 'vscode';
import { errorCode } from '../../core/errors';
import type { TrackedMessage } from '../../core/messageTracker';
import { isActiveWorkerStatus } from '../../core/protocol';
import { parseArgumentText, validateArgumentText, type CommandSpec } from '../messageSpecs';
import type { RrqSession } from '../session';
import { isTreeElement, workerOf } from '../treeElements';
import type { CommandContext } from './context';

/** The user dismissed a prompt: the command ends quietly. */
export class UserCancelled extends Error {
  override name = 'UserCancelled';

  constructor() {
    super('cancelled');
  }
}

/** A problem the user can fix, shown as a warning (with an action button) rather than an error. */
export class Notice extends Error {
  override name = 'Notice';

  constructor(message: string, readonly action?: { title: string; command: string }) {
    super(message);
  }
}

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

/** Worker ids, or 'all': every worker active when the message is sent. */
export type Targets = string[] | 'all';

export function isAutomationTarget(x: unknown): x is AutomationTarget {
  return typeof x === 'object' && x !== null && !isTreeElement(x) && 'workerIds' in x;
}

/**
 * Worker ids a command was invoked on: (item, selectedItems) from the tree (multi-selection
 * applies to all selected when the item is among them), a worker id or ids, or an
 * AutomationTarget. undefined: nothing given (ask).
 */
export function targetsOf(first: unknown, second: unknown): Targets | undefined {
  if (isAutomationTarget(first)) {
    const ids = first.workerIds;
    if (ids === 'all') return 'all';
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw new Error('workerIds must be an array of worker ids or "all".');
    return [...ids];
  }
  if (typeof first === 'string') return [first];
  if (Array.isArray(first) && first.every((x) => typeof x === 'string')) return [...first];
  if (isTreeElement(first)) {
    const clicked = workerOf(first);
    if (Array.isArray(second) && second.length > 1 && second.every(isTreeElement)) {
      const selected = [...new Set(second.map(workerOf))];
      if (selected.includes(clicked)) return selected;
    }
    return [clicked];
  }
  return undefined;
}

export function noWorkersMessage(session: RrqSession): string {
  const queue = session.state.kind === 'connected' ? ` on queue ${session.state.queueId}` : '';
  return `No active workers${queue}. Start some with "rrq: Spawn Workers".`;
}

export function noWorkersNotice(session: RrqSession): Notice {
  return new Notice(noWorkersMessage(session), { title: 'Spawn Workers', command: 'rrq.spawnWorkers' });
}

interface WorkerPick extends vscode.QuickPickItem {
  workerId: string | null; // null: all workers
}

/**
 * Which workers to act on: with one active worker, that one; with several, a quick pick with
 * "All workers" first. Throws a notice when none is active.
 */
export async function pickWorkers(session: RrqSession, title: string, options: { allByDefault?: boolean } = {}): Promise<Targets> {
  const workers = session.workers.filter((w) => isActiveWorkerStatus(w.status));
  if (workers.length === 0) throw noWorkersNotice(session);
  if (workers.length === 1) return [workers[0]!.id];
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

/** The targets a command was invoked on, or else the ones the user picks. */
export async function targetsOrPick(ctx: CommandContext, first: unknown, second: unknown, title: string, options?: { allByDefault?: boolean }): Promise<Targets> {
  return targetsOf(first, second) ?? pickWorkers(ctx.session, title, options);
}

/** Ask for a message's argument (none asked when it takes none). */
export async function askArgument(spec: CommandSpec, title: string): Promise<unknown> {
  if (spec.argument === 'none') return undefined;
  const text = await vscode.window.showInputBox({
    title,
    prompt: spec.prompt,
    placeHolder: spec.placeholder,
    ignoreFocusOut: true,
    validateInput: (value) => validateArgumentText(spec, value),
  });
  if (text === undefined) throw new UserCancelled();
  return parseArgumentText(spec, text);
}

export function describeTargets(targets: Targets): string {
  return targets === 'all' ? 'all workers' : targets.join(', ');
}

/**
 * Send a message through the session's tracker, so the responses panel lists it (pending until
 * each worker answers). 'all' sends with no worker list: the send script picks the workers
 * active at that moment, so one that exits meanwhile cannot fail the send.
 */
export async function sendTracked(ctx: CommandContext, command: string, args: unknown, targets: Targets): Promise<TrackedMessage> {
  await ctx.session.connected();
  const tracker = ctx.session.tracker;
  if (!tracker) throw new Error('Not connected to Redis. Use "rrq: Connect".');
  try {
    return await tracker.send(command, args, targets === 'all' ? undefined : targets);
  } catch (err) {
    if (errorCode(err) === 'NO_ACTIVE_WORKERS') throw noWorkersNotice(ctx.session);
    throw err;
  }
}

export interface SentSummary {
  id: string;
  command: string;
  workerIds: string[];
}

export function summary(m: TrackedMessage): SentSummary {
  return { id: m.id, command: m.command, workerIds: [...m.workerIds] };
}

/** Send, then show the responses panel; what automation gets back. */
export async function sendAndShow(ctx: CommandContext, command: string, args: unknown, targets: Targets): Promise<SentSummary> {
  const message = await sendTracked(ctx, command, args, targets);
  try {
    ctx.responses.show();
  } catch (err) {
    ctx.log.swallow('opening the responses panel after a send')(err); // the message went; the panel is a convenience
  }
  return summary(message);
}
