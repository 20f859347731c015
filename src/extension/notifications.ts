// Every notification the extension shows goes through here: it is shown, its chosen action
// runs (a failure of which goes to the rrq log, never to an unhandled rejection), and it is
// kept in a short list that the API's `inspect.notifications()` returns, since a notification
// cannot be read back from VS Code.
import * as vscode from 'vscode';
import type { ExtensionLog } from './log';

const KEEP = 100;

/** A button on a notification: the command it runs, with its arguments, or else a function. */
export interface NotificationAction {
  title: string;
  command?: string;
  arguments?: unknown[];
  run?: () => unknown;
}

export interface ShownNotification {
  level: 'info' | 'warning' | 'error';
  message: string;
  actions: NotificationAction[];
  /** Date.now() when it was shown. */
  at: number;
}

function showMessage(level: ShownNotification['level'], message: string, titles: string[]): Thenable<string | undefined> {
  switch (level) {
    case 'info': return vscode.window.showInformationMessage(message, ...titles);
    case 'warning': return vscode.window.showWarningMessage(message, ...titles);
    default: return vscode.window.showErrorMessage(message, ...titles);
  }
}

export class Notifications {
  private readonly list: ShownNotification[] = [];

  constructor(private readonly log: ExtensionLog) {}

  /** Show a notification; resolves with the action the user chose, once it has run (undefined: dismissed). */
  show(level: ShownNotification['level'], message: string, ...actions: NotificationAction[]): Promise<NotificationAction | undefined> {
    this.list.push({ level, message, actions, at: Date.now() });
    if (this.list.length > KEEP) this.list.splice(0, this.list.length - KEEP);
    return Promise.resolve(showMessage(level, message, actions.map((a) => a.title))).then(async (title) => {
      const action = actions.find((a) => a.title === title);
      if (action?.command) await vscode.commands.executeCommand(action.command, ...(action.arguments ?? []));
      else if (action?.run) await action.run();
      return action;
    }).catch((err: unknown) => this.log.swallow(`the notification "${message}"`)(err));
  }

  warn(message: string, ...actions: NotificationAction[]): Promise<NotificationAction | undefined> {
    return this.show('warning', message, ...actions);
  }

  /** What was shown, oldest first (the last hundred). */
  shown(): ShownNotification[] {
    return this.list.map((n) => ({ ...n, actions: n.actions.map((a) => ({ ...a })) }));
  }
}
