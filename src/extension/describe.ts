// The text the VS Code layer shows for workers and their log entries. Pure: no `vscode`.
import type { WorkerStatus } from '../core/protocol';

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
  /** A message it has been busy with for a while (a long EVAL), since when (seconds since the epoch). */
  activity?: { command: string; since: number } | null;
}

/**
 * "IDLE", "BUSY 3f2a9c… 12s" (a task), "BUSY · EVAL for 12s" (a message that takes a while),
 * "PAUSED". nowSeconds: seconds since the epoch.
 */
export function describeWorkerStatus(w: DescribableWorker, nowSeconds: number): string {
  if (w.status !== 'BUSY') return w.status;
  // A task id never looks like a message command, but "·" and "for" keep the two apart for the eye.
  if (!w.taskId && w.activity) return `BUSY · ${w.activity.command} for ${formatElapsed(nowSeconds - w.activity.since)}`;
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
