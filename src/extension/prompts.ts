// Pure helpers for the VS Code layer: input validation, message argument parsing, and the
// text shown for workers and log entries. No `vscode` import, so they stay easy to test.
import type { WorkerStatus } from '../core/protocol';

export const MAX_SPAWN = 256;

/** Validation message for a worker count typed by the user, or null when it is fine. */
export function validateWorkerCount(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter how many workers to start (1 to 256).';
  if (!/^\d+$/.test(t)) return `"${t}" is not a whole number: enter how many workers to start (1 to ${MAX_SPAWN}).`;
  const n = Number(t);
  if (n < 1) return 'Start at least one worker.';
  if (n > MAX_SPAWN) return `At most ${MAX_SPAWN} workers at once (asked for ${n}).`;
  return null;
}

/** The worker count from user text or a number given by automation; throws with the validation message. */
export function parseWorkerCount(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const problem = typeof value === 'number' || typeof value === 'string' ? validateWorkerCount(text) : 'The worker count must be a number.';
  if (problem) throw new Error(problem);
  return Number(text.trim());
}

/** The ten message commands, what they do, and what argument they take. */
export interface CommandSpec {
  command: string;
  description: string;
  /** 'none': no argument; 'required': non-empty text; 'timeout': seconds/Inf/empty; 'optional': text or nothing. */
  argument: 'none' | 'required' | 'timeout' | 'optional';
  prompt?: string;
  placeholder?: string;
}

export const COMMAND_SPECS: readonly CommandSpec[] = [
  { command: 'PING', description: 'Check that workers answer (PONG)', argument: 'none' },
  { command: 'ECHO', description: 'Print a text in the worker log', argument: 'required', prompt: 'Text the workers print', placeholder: 'hello' },
  { command: 'EVAL', description: 'Evaluate JavaScript in the workers\' global scope', argument: 'required', prompt: 'JavaScript to evaluate on the workers', placeholder: '1 + 1' },
  { command: 'INFO', description: 'Refresh and return the workers\' info records', argument: 'none' },
  { command: 'PAUSE', description: 'Stop taking tasks (messages are still answered)', argument: 'none' },
  { command: 'RESUME', description: 'Take tasks again after PAUSE', argument: 'none' },
  { command: 'REFRESH', description: 'Rebuild the task environment', argument: 'none' },
  {
    command: 'TIMEOUT_SET', description: 'Set the idle timeout (seconds without work before exiting)', argument: 'timeout',
    prompt: 'Idle timeout in seconds: a non-negative number, "Inf" for never, or empty to clear', placeholder: '600',
  },
  { command: 'TIMEOUT_GET', description: 'Get the idle timeout and the time left', argument: 'none' },
  { command: 'STOP', description: 'Stop after the current task', argument: 'optional', prompt: 'Reason (optional, shown in the log)', placeholder: 'BYE' },
];

export function commandSpec(command: string): CommandSpec {
  const spec = COMMAND_SPECS.find((s) => s.command === command.toUpperCase());
  if (!spec) throw new Error(`Unknown message command "${command}": expected one of ${COMMAND_SPECS.map((s) => s.command).join(', ')}.`);
  return spec;
}

/** TIMEOUT_SET text: a non-negative number, "Inf"/"Infinity" (never), or empty (clear: null). */
export function validateTimeout(text: string): string | null {
  const t = text.trim();
  if (t === '' || /^(inf|infinity)$/i.test(t)) return null;
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t) || !Number.isFinite(Number(t))) {
    return `"${t}" is not a timeout: enter a non-negative number of seconds, "Inf" for never, or leave it empty.`;
  }
  return null;
}

export function parseTimeout(text: string): number | null {
  const problem = validateTimeout(text);
  if (problem) throw new Error(problem);
  const t = text.trim();
  if (t === '') return null;
  if (/^(inf|infinity)$/i.test(t)) return Infinity;
  return Number(t);
}

export function validateArgumentText(spec: CommandSpec, text: string): string | null {
  switch (spec.argument) {
    case 'timeout':
      return validateTimeout(text);
    case 'required':
      return text.trim() === '' ? `${spec.command} needs ${spec.command === 'EVAL' ? 'an expression' : 'a text'}.` : null;
    default:
      return null;
  }
}

/** Argument text typed by the user → the value sent. Throws with a message for the user. */
export function parseArgumentText(spec: CommandSpec, text: string): unknown {
  const problem = validateArgumentText(spec, text);
  if (problem) throw new Error(problem);
  switch (spec.argument) {
    case 'timeout':
      return parseTimeout(text);
    case 'required':
      return text;
    case 'optional':
      return text.trim() === '' ? undefined : text;
    default:
      return undefined;
  }
}

/** Argument given by automation (a command's arguments): text is parsed as if typed, values are checked. */
export function normaliseArgument(spec: CommandSpec, value: unknown): unknown {
  if (typeof value === 'string') return parseArgumentText(spec, value);
  switch (spec.argument) {
    case 'none':
      return undefined;
    case 'timeout':
      if (value === null || value === undefined) return null;
      if (typeof value === 'number' && value >= 0) return value;
      throw new Error(`TIMEOUT_SET needs a non-negative number of seconds, Infinity or nothing, not ${String(value)}.`);
    case 'required':
      throw new Error(`${spec.command} needs ${spec.command === 'EVAL' ? 'an expression' : 'a text'}.`);
    default:
      return value ?? undefined;
  }
}

export function isAuthError(message: string): boolean {
  return /NOAUTH|WRONGPASS|invalid password|Authentication required|AUTH failed/i.test(message);
}

/** A task id short enough for a tree description. */
export function shortId(id: string, keep = 6): string {
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}

/** 12s, 3m 04s, 2h 05m. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface DescribableWorker {
  status: WorkerStatus;
  taskId: string | null;
  taskStarted: number | null;
}

/** "IDLE", "BUSY 3f2a9c… 12s", "PAUSED". nowSeconds: seconds since the epoch. */
export function describeWorkerStatus(w: DescribableWorker, nowSeconds: number): string {
  if (w.status !== 'BUSY') return w.status;
  const parts: string[] = ['BUSY'];
  if (w.taskId) parts.push(shortId(w.taskId));
  if (w.taskStarted !== null) parts.push(formatElapsed(nowSeconds - w.taskStarted));
  return parts.join(' ');
}

export type LogLevel = 'info' | 'warn' | 'error';

/** Level of a worker log entry in its output channel. */
export function logLevelOf(command: string): LogLevel {
  switch (command) {
    case 'LOST':
    case 'TASK_ERROR':
    case 'TASK_DIED':
    case 'TASK_TIMEOUT':
      return 'error';
    case 'STOP':
    case 'TASK_MISSING':
    case 'TASK_SKIP':
    case 'INVALID':
      return 'warn';
    default:
      return 'info';
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Worker clock time of a log entry (seconds since the epoch): HH:MM:SS.mmm, with the date when not today. */
export function formatLogTime(seconds: number, now = new Date()): string {
  const d = new Date(seconds * 1000);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export interface LogLike {
  time: number;
  command: string;
  message: string;
  child?: number | null;
}

/** One log line: worker time, command, message (and the child process, if any). */
export function formatLogLine(entry: LogLike, now = new Date()): string {
  const child = entry.child ? ` [child ${entry.child}]` : '';
  const message = entry.message ? ` ${entry.message}` : '';
  return `${formatLogTime(entry.time, now)} ${entry.command.padEnd(13)}${message}${child}`.trimEnd();
}

/** Identity of a log entry, to drop an event already read as history. */
export function logKey(entry: LogLike): string {
  return `${entry.time}\u0000${entry.command}\u0000${entry.message}`;
}
