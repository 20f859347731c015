// What each message does on the worker and what it answers (rrq's semantics): one handler per
// command, in a table keyed by the command type, so a missing or misspelt handler fails the
// type check. Adding a message: CONTRIBUTING.md.
import { isMessageCommand, MESSAGE_COMMANDS, type MessageCommand, type TimeoutInfo, type WorkerInfo } from '../core/protocol';
import type { IdleTimer } from './idleTimer';

export type LiveStatus = 'IDLE' | 'BUSY' | 'PAUSED';

/** What a message handler may see of the worker and do to it: nothing more. */
export interface MessageContext {
  readonly status: LiveStatus;
  readonly idle: IdleTimer;
  /** Whether this worker's config lets EVAL run code (see the README's security section). */
  readonly allowEval: boolean;
  /** A line in the worker's log file. */
  print(text: string): void;
  /** A log entry (file, Redis, event). */
  log(command: string, message?: string): void;
  setStatus(status: LiveStatus): Promise<void>;
  /** Collect the info record again and store it. */
  refreshInfo(): Promise<WorkerInfo>;
  /** Rebuild the task environment. */
  rebuildEnvironment(): Promise<void>;
  /** Evaluate source in the worker's global scope (where tasks run); the value or the error, encoded. */
  evaluate(source: string): Promise<string>;
}

export interface MessageOutcome {
  value?: unknown;
  /** The response already encoded (what an EVAL gives), instead of `value`. */
  encoded?: string;
  /** Stop after responding, logging `STOP <this>`. */
  stop?: string;
}

export type MessageHandler = (worker: MessageContext, args: unknown) => MessageOutcome | Promise<MessageOutcome>;
export type MessageHandlers = { readonly [C in MessageCommand]: MessageHandler };

/** Messages that count as activity for the idle timer (rrq: all but TIMEOUT_SET, TIMEOUT_GET and STOP). */
export const RESETS_IDLE_TIMER: ReadonlySet<MessageCommand> = new Set<MessageCommand>([
  'PING', 'ECHO', 'EVAL', 'INFO', 'PAUSE', 'RESUME', 'REFRESH',
]);

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(`Thrown value: ${String(err)}`);
}

export const MESSAGE_HANDLERS: MessageHandlers = {
  PING(worker) {
    worker.print('PONG');
    return { value: 'PONG' };
  },

  ECHO(worker, args) {
    worker.print(typeof args === 'string' ? args : JSON.stringify(args) ?? String(args));
    return { value: 'OK' };
  },

  async EVAL(worker, args) {
    if (!worker.allowEval) {
      return { value: new Error('EVAL is disabled on this worker (its worker config has allowEval: false)') };
    }
    if (typeof args !== 'string') return { value: new TypeError(`EVAL needs JavaScript source as a string, not ${typeof args}`) };
    return { encoded: await worker.evaluate(args) };
  },

  async INFO(worker) {
    return { value: await worker.refreshInfo() };
  },

  async PAUSE(worker) {
    if (worker.status === 'PAUSED') return { value: 'NOOP' };
    await worker.setStatus('PAUSED');
    return { value: 'OK' };
  },

  async RESUME(worker) {
    if (worker.status !== 'PAUSED') return { value: 'NOOP' };
    await worker.setStatus('IDLE');
    return { value: 'OK' };
  },

  async REFRESH(worker) {
    try {
      await worker.rebuildEnvironment();
    } catch (err) {
      return { value: asError(err) };
    }
    worker.log('ENVIR', 'refresh');
    return { value: 'OK' };
  },

  TIMEOUT_SET(worker, args) {
    // null/undefined clears the timeout (rrq: NULL); anything but a non-negative number is INVALID.
    const timeout = args === null || args === undefined ? Infinity : args;
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) return { value: 'INVALID' };
    worker.idle.set(timeout);
    return { value: 'OK' };
  },

  TIMEOUT_GET(worker) {
    const remainingMs = worker.idle.remainingMs();
    const value: TimeoutInfo = {
      timeoutIdle: worker.idle.timeoutIdle,
      remaining: Number.isFinite(remainingMs) ? Math.max(0, remainingMs) / 1000 : Infinity,
    };
    return { value };
  },

  STOP(_worker, args) {
    const reason = args === undefined || args === null ? 'BYE' : String(args);
    return { value: 'BYE', stop: `OK (${reason})` };
  },
};

/** Run the handler of `command` (an unknown command is answered with an error); resets the idle timer where rrq does. */
export async function handleMessage(worker: MessageContext, command: string, args: unknown): Promise<MessageOutcome> {
  if (!isMessageCommand(command)) {
    const problem = `Unknown command '${command}': expected one of ${MESSAGE_COMMANDS.join(', ')}`;
    worker.print(problem);
    return { value: new Error(problem) };
  }
  let outcome: MessageOutcome;
  try {
    outcome = await MESSAGE_HANDLERS[command](worker, args);
  } catch (err) {
    const error = asError(err);
    worker.print(`${command} failed: ${error.message}`);
    outcome = { value: error };
  }
  if (RESETS_IDLE_TIMER.has(command)) worker.idle.reset();
  return outcome;
}
