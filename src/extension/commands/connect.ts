// rrq.connect: reconnect with the current settings (starting a private Redis if none is
// configured or running), asking for the password when Redis wants one. Automation may pass
// { password } to answer that prompt once.
import * as vscode from 'vscode';
import { errorCode } from '../../core/errors';
import { errorMessage } from '../log';
import type { CommandContext } from './context';
import { UserCancelled } from './support';

const MAX_PASSWORD_TRIES = 3;

async function askPassword(refusal: string, attempt: number): Promise<string> {
  const password = await vscode.window.showInputBox({
    title: 'rrq: Redis password',
    prompt: attempt === 0
      ? `Redis asks for a password (${refusal.split(/[.,]/)[0]}). It is kept in VS Code's secret storage, never in settings.`
      : 'That password was refused. Try again (kept in VS Code\'s secret storage).',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) throw new UserCancelled();
  return password;
}

export async function connect(ctx: CommandContext, options?: unknown): Promise<string> {
  const automated = typeof options === 'object' && options !== null;
  let given = automated ? (options as { password?: unknown }).password : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const ctl = await ctx.session.reconnect();
      void vscode.window.setStatusBarMessage(`rrq: connected to ${ctl.queueId} on ${ctl.redisDisplay}`, 5000);
      return ctl.queueId;
    } catch (err) {
      if (errorCode(err) !== 'REDIS_AUTH') throw err;
      // Redis's own words ("WRONGPASS invalid username-password pair ..."), without the address.
      const message = errorMessage(err);
      const refusal = (/(NOAUTH|WRONGPASS)[^\n]*/.exec(message)?.[0] ?? message).split('\n')[0]!;
      const refused = new Error(`Redis refused the password: ${refusal} Run "rrq: Connect" to enter it again.`);
      if (attempt >= MAX_PASSWORD_TRIES) throw refused;
      let password: string;
      if (automated) {
        if (typeof given !== 'string') throw refused;
        password = given;
        given = undefined;
      } else {
        password = await askPassword(refusal, attempt);
      }
      await ctx.session.storePassword(password);
    }
  }
}
