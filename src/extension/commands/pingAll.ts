// rrq.pingAll: PING every worker active when it is sent.
import type { CommandContext } from './context';
import { sendAndShow, type SentSummary } from './support';

export function pingAll(ctx: CommandContext): Promise<SentSummary> {
  return sendAndShow(ctx, 'PING', undefined, 'all');
}
