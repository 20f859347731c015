// rrq.sendMessage: pick any message, its workers and its argument, and send it.
// Automation: (command, args, workerIds | 'all').
import * as vscode from 'vscode';
import { isActiveWorkerStatus } from '../../core/protocol';
import { COMMAND_SPECS, commandSpec, normaliseArgument, type CommandSpec } from '../messageSpecs';
import type { CommandContext } from './context';
import {
  askArgument, describeTargets, noWorkersNotice, pickWorkers, sendAndShow, targetsOf, UserCancelled, type SentSummary, type Targets,
} from './support';

async function pickSpec(ctx: CommandContext): Promise<CommandSpec> {
  if (!ctx.session.workers.some((w) => isActiveWorkerStatus(w.status))) throw noWorkersNotice(ctx.session);
  const pick = await vscode.window.showQuickPick(
    COMMAND_SPECS.map((s) => ({ label: s.command, description: s.description, spec: s })),
    { title: 'rrq: Send Message', placeHolder: 'Message to send', matchOnDescription: true, ignoreFocusOut: true },
  );
  if (!pick) throw new UserCancelled();
  return pick.spec;
}

function automationTargets(workerIds: unknown): Targets {
  const targets = workerIds === 'all' ? 'all' : targetsOf(workerIds, undefined);
  if (!targets) throw new Error('workerIds must be a worker id, an array of them, or "all".');
  return targets;
}

export async function sendMessage(ctx: CommandContext, command?: unknown, args?: unknown, workerIds?: unknown): Promise<SentSummary> {
  await ctx.session.connected();
  if (typeof command === 'string') {
    // Automation: everything given; arguments are checked as if typed.
    const spec = commandSpec(command);
    const value = normaliseArgument(spec, args);
    const targets = workerIds === undefined ? await pickWorkers(ctx.session, `rrq: ${spec.command} → which workers?`) : automationTargets(workerIds);
    return sendAndShow(ctx, spec.command, value, targets);
  }
  const spec = await pickSpec(ctx);
  const targets = await pickWorkers(ctx.session, `rrq: ${spec.command} → which workers?`);
  const value = await askArgument(spec, `rrq: ${spec.command} → ${describeTargets(targets)}`);
  return sendAndShow(ctx, spec.command, value, targets);
}
