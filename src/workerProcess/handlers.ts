// What each message does on the worker, and what it answers (rrq's semantics).
import { MESSAGE_COMMANDS, type TimeoutInfo } from '../core/protocol';
import { evaluateGlobal } from './evaluate';
import type { Worker } from './worker';

export interface MessageOutcome {
  value: unknown;
  /** Counts as activity for the idle timer (rrq: everything but TIMEOUT_GET, TIMEOUT_SET and STOP). */
  resetsTimer?: boolean;
  /** Stop after responding, logging `STOP <this>`. */
  stop?: string;
}

type Handler = (worker: Worker, args: unknown) => Promise<MessageOutcome> | MessageOutcome;

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(`Thrown value: ${String(err)}`);
}

const handlers: Record<string, Handler> = {
  PING(worker) {
    worker.print('PONG');
    return { value: 'PONG', resetsTimer: true };
  },

  ECHO(worker, args) {
    worker.print(typeof args === 'string' ? args : JSON.stringify(args) ?? String(args));
    return { value: 'OK', resetsTimer: true };
  },

  async EVAL(_worker, args) {
    if (typeof args !== 'string') {
      return { value: new TypeError(`EVAL needs JavaScript source as a string, not ${typeof args}`), resetsTimer: true };
    }
    try {
      return { value: await evaluateGlobal(args), resetsTimer: true };
    } catch (err) {
      return { value: asError(err), resetsTimer: true };
    }
  },

  async INFO(worker) {
    const info = worker.collectInfo();
    await worker.redis.hset(worker.keys.workerInfo, worker.id, JSON.stringify(info));
    return { value: info, resetsTimer: true };
  },

  async PAUSE(worker) {
    if (worker.status === 'PAUSED') return { value: 'NOOP', resetsTimer: true };
    await worker.setStatus('PAUSED');
    return { value: 'OK', resetsTimer: true };
  },

  async RESUME(worker) {
    if (worker.status !== 'PAUSED') return { value: 'NOOP', resetsTimer: true };
    await worker.setStatus('IDLE');
    return { value: 'OK', resetsTimer: true };
  },

  async REFRESH(worker) {
    try {
      await worker.envir.build();
    } catch (err) {
      return { value: asError(err), resetsTimer: true };
    }
    worker.log('ENVIR', 'refresh');
    return { value: 'OK', resetsTimer: true };
  },

  TIMEOUT_SET(worker, args) {
    // null/undefined clears the timeout (rrq: NULL); anything but a non-negative number is INVALID.
    const timeout = args === null || args === undefined ? Infinity : args;
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) return { value: 'INVALID' };
    worker.timeoutIdle = timeout;
    worker.resetIdleTimer();
    return { value: 'OK' };
  },

  TIMEOUT_GET(worker): MessageOutcome {
    const remainingMs = worker.idleRemainingMs();
    const value: TimeoutInfo = {
      timeoutIdle: worker.timeoutIdle,
      remaining: Number.isFinite(remainingMs) ? Math.max(0, remainingMs) / 1000 : Infinity,
    };
    return { value };
  },

  STOP(_worker, args) {
    const reason = args === undefined || args === null ? 'BYE' : String(args);
    return { value: 'BYE', stop: `OK (${reason})` };
  },
};

export async function handleMessage(worker: Worker, command: string, args: unknown): Promise<MessageOutcome> {
  const handler = handlers[command];
  if (!handler) {
    const problem = `Unknown command '${command}': expected one of ${MESSAGE_COMMANDS.join(', ')}`;
    worker.print(problem);
    return { value: new Error(problem) };
  }
  try {
    return await handler(worker, args);
  } catch (err) {
    const error = asError(err);
    worker.print(`${command} failed: ${error.message}`);
    return { value: error };
  }
}
