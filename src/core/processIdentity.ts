// Telling a process from another that later got its pid: its start time, as the operating system
// reports it (Linux: /proc/<pid>/stat, in clock ticks since boot; elsewhere: `ps -o lstart=`). A
// worker records its own; signalling a pid is done only when the process there started then.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The start time of process `pid`, or null when there is no such process (or it cannot be told). */
export function processStartTime(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ? `ticks:${fields[19]}` : null;
  } catch {
    if (process.platform === 'linux') return null;
  }
  const ps = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' });
  const text = ps.status === 0 ? ps.stdout.trim() : '';
  return text ? `lstart:${text}` : null;
}
