// Worker log records: one JSON element per event in Redis, and the same, timestamped, in
// the worker's log file.
import type { EventRecord, LogEntry, LogRecord } from './protocol';

export function logRecord(command: string, message = '', time = Date.now() / 1000): LogRecord {
  return { time, command, message };
}

export function eventFor(workerId: string, record: LogRecord, ref?: string, response?: string): EventRecord {
  const event: EventRecord = { worker: workerId, ...record };
  if (ref !== undefined) event.ref = ref;
  if (response !== undefined) event.response = response;
  return event;
}

export function parseLogRecord(workerId: string, text: string): LogEntry {
  try {
    const r = JSON.parse(text) as LogRecord;
    return { workerId, child: r.child ?? null, time: r.time, command: r.command, message: r.message ?? '' };
  } catch {
    return { workerId, child: null, time: NaN, command: 'UNREADABLE', message: text };
  }
}

/** `[2024-09-18 15:37:20.210963]`-style local timestamp, as in rrq's log files (millisecond precision). */
export function formatLogTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatLogLine(record: LogRecord): string {
  const text = record.message ? `${record.command} ${record.message}` : record.command;
  return `[${formatLogTime(record.time)}] ${text}`;
}

/** Merge per-worker tails into one table ordered by time (stable within a worker). */
export function mergeLogTails(tails: LogEntry[][]): LogEntry[] {
  const all = tails.flatMap((entries, w) => entries.map((e, i) => ({ e, w, i })));
  all.sort((a, b) => (a.e.time - b.e.time) || (a.w - b.w) || (a.i - b.i));
  return all.map((x) => x.e);
}
