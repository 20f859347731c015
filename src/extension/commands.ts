// The rrq commands: connect, settings, spawn/stop/kill workers, send any message, a direct
// command per message (acting on the tree items it was invoked on, all selected ones with
// multi-select, or workers picked from the palette), ping all, refresh, delete exited.
//
// Every message goes through the session's MessageTracker, so the responses panel shows it
// (pending until each worker answers). Every handler is wrapped: failures become error
// messages, never unhandled rejections.
//
// Automation (tests, other extensions) can skip the prompts by passing arguments:
//   rrq.spawnWorkers(n)                          → worker ids
//   rrq.stopWorkers({ workerIds, timeout? })     → ids that exited
//   rrq.killWorkers({ workerIds, confirm: false }) → ids killed
//   rrq.sendMessage(command, args, workerIds | 'all') → { id, workerIds }
//   rrq.ping / rrq.pause / ... (workerId | workerIds | { workerIds, args }) → { id, workerIds }
//   rrq.pingAll()                                → { id, workerIds }
//   rrq.deleteExitedWorkers()                    → ids deleted
import * as vscode from 'vscode';
import type { TrackedMessage } from '../core/messageTracker';
import {
  COMMAND_SPECS, commandSpec, isAuthError, MAX_SPAWN, normaliseArgument, parseArgumentText, parseWorkerCount,
  validateArgumentText, validateWorkerCount, type CommandSpec,
} from './prompts';
import { PASSWORD_SECRET, readSettings, type RrqSession } from './session';
import {
  connected, errorMessage, isActive, isAutomationTarget, lastError, noWorkersMessage, pickWorkers, registerSafeCommand,
  resolveAll, showResponses, targetsOf, UserCancelled,
} from './ui';

const STOP_TIMEOUT_S = 15;

interface SentSummary {
  id: string;
  command: string;
  workerIds: string[];
}

function summary(m: TrackedMessage): SentSummary {
  return { id: m.id, command: m.command, workerIds: [...m.workerIds] };
}

async function askArgument(spec: CommandSpec, title: string): Promise<unknown> {
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

/** Wait until every id is EXITED/LOST (or gone) in the session's view; resolves those still running after the timeout. */
function waitForExit(session: RrqSession, ids: string[], timeoutMs: number): Promise<string[]> {
  const running = () => ids.filter((id) => {
    const w = session.workers.find((x) => x.id === id);
    return w !== undefined && isActive(w);
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

export function registerCommands(context: vscode.ExtensionContext, session: RrqSession): vscode.Disposable {
  const send = async (command: string, args: unknown, ids: string[] | 'all'): Promise<SentSummary> => {
    await connected(session);
    const tracker = session.tracker;
    if (!tracker) throw new Error('Not connected to Redis. Use "rrq: Connect".');
    const workerIds = resolveAll(session, ids);
    const message = await tracker.send(command, args, workerIds);
    void showResponses();
    return summary(message);
  };

  /** A direct message command: targets from the tree / automation / a quick pick, then the argument. */
  const direct = (command: string) => async (first?: unknown, second?: unknown): Promise<SentSummary> => {
    const spec = commandSpec(command);
    await connected(session);
    let targets = targetsOf(first, second);
    targets ??= await pickWorkers(session, `rrq: ${command}`);
    const args = isAutomationTarget(first) && 'args' in first
      ? normaliseArgument(spec, first.args)
      : await askArgument(spec, `rrq: ${command} → ${targets === 'all' ? 'all workers' : targets.join(', ')}`);
    return send(command, args, targets);
  };

  /** Reconnect (starting a private Redis if none is configured); asks for the password when Redis wants one. */
  const connect = async (options?: unknown): Promise<string> => {
    // Automation: { password } answers the password prompt (once).
    const automated = typeof options === 'object' && options !== null;
    let given = automated ? (options as { password?: unknown }).password : undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        const ctl = await session.reconnect();
        void vscode.window.setStatusBarMessage(`rrq: connected to ${ctl.queueId} on ${ctl.redisDisplay}`, 5000);
        return ctl.queueId;
      } catch (err) {
        const message = errorMessage(err);
        if (!isAuthError(message)) throw err;
        // Redis's own words ("WRONGPASS invalid username-password pair ..."), without the address.
        const auth = /(NOAUTH|WRONGPASS)[^\n]*/.exec(message)?.[0] ?? message;
        const refused = new Error(`Redis refused the password: ${auth.split('\n')[0]} Run "rrq: Connect" to enter it again.`);
        if (attempt >= 3) throw refused;
        let password: string | undefined;
        if (automated) {
          if (typeof given !== 'string') throw refused;
          password = given;
          given = undefined;
        } else {
          password = await vscode.window.showInputBox({
            title: 'rrq: Redis password',
            prompt: attempt === 0
              ? `Redis asks for a password (${auth.split(/[.,]/)[0]}). It is kept in VS Code's secret storage, never in settings.`
              : 'That password was refused. Try again (kept in VS Code\'s secret storage).',
            password: true,
            ignoreFocusOut: true,
          });
        }
        if (password === undefined) throw new UserCancelled();
        await context.secrets.store(PASSWORD_SECRET, password);
      }
    }
  };

  const spawnWorkers = async (count?: unknown): Promise<string[]> => {
    let n: number;
    if (count === undefined || count === null || typeof count === 'object') {
      const text = await vscode.window.showInputBox({
        title: 'rrq: Spawn Workers',
        prompt: `How many workers to start (1 to ${MAX_SPAWN}); they run as child processes of VS Code.`,
        value: String(readSettings().workerCount),
        ignoreFocusOut: true,
        validateInput: validateWorkerCount,
      });
      if (text === undefined) throw new UserCancelled();
      n = parseWorkerCount(text);
    } else {
      n = parseWorkerCount(count);
    }
    const handle = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Spawning ${n} worker${n === 1 ? '' : 's'}…` },
      async () => {
        try {
          return await session.spawnWorkers(n);
        } catch (err) {
          throw new Error(`Could not spawn workers: ${errorMessage(err)}`);
        }
      },
    );
    await session.monitor?.refresh().catch(() => {});
    void vscode.window.setStatusBarMessage(`rrq: ${n} worker${n === 1 ? '' : 's'} started`, 5000);
    return handle.ids;
  };

  const stopWorkers = async (first?: unknown, second?: unknown): Promise<string[]> => {
    await connected(session);
    let targets = targetsOf(first, second);
    targets ??= await pickWorkers(session, 'rrq: Stop Workers (STOP message)');
    const ids = resolveAll(session, targets);
    const timeoutS = isAutomationTarget(first) && typeof first.timeout === 'number' ? first.timeout : STOP_TIMEOUT_S;
    const left = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Stopping ${ids.length} worker${ids.length === 1 ? '' : 's'}…` },
      async () => {
        await send('STOP', undefined, ids);
        return waitForExit(session, ids, timeoutS * 1000);
      },
    );
    if (left.length > 0) {
      const busy = left.filter((id) => session.workers.find((w) => w.id === id)?.status === 'BUSY');
      const why = busy.length > 0 ? ` (${busy.length} busy: they stop after their current task)` : '';
      void Promise.resolve(vscode.window.showWarningMessage(
        `rrq: ${left.length} worker${left.length === 1 ? '' : 's'} still running after ${timeoutS} s${why}: ${left.join(', ')}`, 'Kill',
      )).then((pick) => {
        if (pick === 'Kill') return vscode.commands.executeCommand('rrq.killWorkers', { workerIds: left, confirm: false });
        return undefined;
      }).catch(() => {});
    }
    return ids.filter((id) => !left.includes(id));
  };

  const killWorkers = async (first?: unknown, second?: unknown): Promise<string[]> => {
    const ctl = await connected(session);
    let targets = targetsOf(first, second);
    targets ??= await pickWorkers(session, 'rrq: Kill Workers', { allByDefault: false });
    const ids = resolveAll(session, targets);
    const confirm = !(isAutomationTarget(first) && first.confirm === false);
    if (confirm) {
      const answer = await vscode.window.showWarningMessage(
        `Kill ${ids.length === 1 ? `worker ${ids[0]}` : `${ids.length} workers`}?`,
        { modal: true, detail: `Their processes get SIGKILL: a running task is lost and marked DIED.\n\n${ids.join('\n')}` },
        'Kill',
      );
      if (answer !== 'Kill') throw new UserCancelled();
    }
    await ctl.workerStop(ids, { type: 'kill' });
    await session.monitor?.refresh().catch(() => {});
    return ids;
  };

  const sendMessage = async (command?: unknown, args?: unknown, workerIds?: unknown): Promise<SentSummary> => {
    await connected(session);
    let spec: CommandSpec;
    if (typeof command === 'string') {
      spec = commandSpec(command);
    } else {
      if (session.workers.filter(isActive).length === 0) throw new Error(noWorkersMessage(session));
      const pick = await vscode.window.showQuickPick(
        COMMAND_SPECS.map((s) => ({ label: s.command, description: s.description, spec: s })),
        { title: 'rrq: Send Message', placeHolder: 'Message to send', matchOnDescription: true, ignoreFocusOut: true },
      );
      if (!pick) throw new UserCancelled();
      spec = pick.spec;
    }
    let targets: string[] | 'all';
    if (typeof command === 'string' && workerIds !== undefined) {
      const t = workerIds === 'all' ? 'all' : targetsOf(workerIds, undefined);
      if (!t) throw new Error('workerIds must be a worker id, an array of them, or "all".');
      targets = t;
    } else {
      targets = await pickWorkers(session, `rrq: ${spec.command} → which workers?`);
    }
    const value = typeof command === 'string'
      ? normaliseArgument(spec, args)
      : await askArgument(spec, `rrq: ${spec.command} → ${targets === 'all' ? 'all workers' : targets.join(', ')}`);
    return send(spec.command, value, targets);
  };

  return vscode.Disposable.from(
    registerSafeCommand('rrq.connect', connect),
    registerSafeCommand('rrq.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:rrq.rrq')),
    registerSafeCommand('rrq.spawnWorkers', spawnWorkers),
    registerSafeCommand('rrq.stopWorkers', stopWorkers),
    registerSafeCommand('rrq.killWorkers', killWorkers),
    registerSafeCommand('rrq.sendMessage', sendMessage),
    registerSafeCommand('rrq.ping', direct('PING')),
    registerSafeCommand('rrq.echo', direct('ECHO')),
    registerSafeCommand('rrq.eval', direct('EVAL')),
    registerSafeCommand('rrq.info', direct('INFO')),
    registerSafeCommand('rrq.pause', direct('PAUSE')),
    registerSafeCommand('rrq.resume', direct('RESUME')),
    registerSafeCommand('rrq.refreshEnvironment', direct('REFRESH')),
    registerSafeCommand('rrq.setIdleTimeout', direct('TIMEOUT_SET')),
    registerSafeCommand('rrq.getIdleTimeout', direct('TIMEOUT_GET')),
    registerSafeCommand('rrq.stopWorker', direct('STOP')),
    registerSafeCommand('rrq.pingAll', () => send('PING', undefined, 'all')),
    registerSafeCommand('rrq.refreshWorkers', async () => {
      await connected(session);
      await session.monitor?.refresh();
      return session.workers.length;
    }),
    registerSafeCommand('rrq.deleteExitedWorkers', async () => {
      const ctl = await connected(session);
      const deleted = await ctl.workerDeleteExited();
      await session.monitor?.refresh().catch(() => {});
      void vscode.window.setStatusBarMessage(
        deleted.length === 0 ? 'rrq: no exited workers to delete' : `rrq: deleted ${deleted.length} exited worker${deleted.length === 1 ? '' : 's'}`, 5000,
      );
      return deleted;
    }),
    vscode.commands.registerCommand('rrq._internal.lastError', () => lastError),
    vscode.commands.registerCommand('rrq._internal.forgetPassword', () => context.secrets.delete(PASSWORD_SECRET)),
  );
}
