// What every command gets: the session and the surfaces it may act on. Commands are plain
// functions of this context and of the arguments VS Code (or automation) passes them.
import type { InlineEvaluator } from '../inlineEvaluator';
import type { ExtensionLog } from '../log';
import type { LogChannels } from '../logChannels';
import type { Notifications } from '../notifications';
import type { ResponsesPanel } from '../responsesPanel';
import type { RrqSession } from '../session';

export interface CommandContext {
  readonly session: RrqSession;
  readonly log: ExtensionLog;
  readonly logChannels: LogChannels;
  readonly notifications: Notifications;
  readonly responses: ResponsesPanel;
  readonly inline: InlineEvaluator;
}

export type RrqCommand = (ctx: CommandContext, ...args: unknown[]) => unknown;
