// The direct command of each message (rrq.ping, rrq.pause, ...): acting on the tree items it
// was invoked on (all selected ones with multi-select), on ids given by automation
// ({ workerIds, args }), or on workers picked from the palette; then the argument, if any.
import type { MessageCommand } from '../../core/protocol';
import { commandSpec, normaliseArgument } from '../messageSpecs';
import type { CommandContext } from './context';
import { askArgument, describeTargets, isAutomationTarget, sendAndShow, targetsOrPick, type SentSummary } from './support';

export function messageCommand(command: MessageCommand) {
  const spec = commandSpec(command);
  return async (ctx: CommandContext, first?: unknown, second?: unknown): Promise<SentSummary> => {
    await ctx.session.connected();
    const targets = await targetsOrPick(ctx, first, second, `rrq: ${command}`);
    const args = isAutomationTarget(first) && 'args' in first
      ? normaliseArgument(spec, first.args)
      : await askArgument(spec, `rrq: ${command} → ${describeTargets(targets)}`);
    return sendAndShow(ctx, command, args, targets);
  };
}
