// The extension's own log, the "rrq" output channel: every error shown to the user, and every
// failure the extension does not show (a best-effort refresh, a clean-up), so that nothing
// that went wrong is silently lost.
import * as vscode from 'vscode';

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ExtensionLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('rrq', { log: true });

  info(text: string): void {
    this.channel.info(text);
  }

  warn(text: string): void {
    this.channel.warn(text);
  }

  error(text: string): void {
    this.channel.error(text);
  }

  /**
   * A rejection handler for work whose failure the user need not see (it is retried, or only
   * cosmetic): the failure is written here instead. `what` says what was being done.
   */
  swallow(what: string): (err: unknown) => undefined {
    return (err) => {
      this.channel.warn(`${what}: ${errorMessage(err)}`);
      return undefined;
    };
  }

  dispose(): void {
    this.channel.dispose();
  }
}
