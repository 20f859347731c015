// What the benchmarks ran on and how busy it was: CPU meters read from /proc (Linux; null or 0
// elsewhere), and the machine and code description printed in the reports.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { now, sleep } from './timing.mjs';

/** "2026-11-30 06:36:04 UTC" */
export const utcStamp = (date = new Date()) => date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** Share of CPU time (all cores) spent busy during `ms`, from /proc/stat (null if unavailable). */
export async function cpuBusyShare(ms) {
  const read = () => {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const v = f.map(Number);
    const idle = v[3] + (v[4] ?? 0);
    return { idle, total: v.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await sleep(ms);
    const b = read();
    return (b.total - a.total) > 0 ? 1 - (b.idle - a.idle) / (b.total - a.total) : null;
  } catch {
    return null;
  }
}

/**
 * Scheduler counters of a process from /proc/<pid>/task/<tid>/schedstat: CPU time (ns) of all
 * its threads, and of its main thread the run-queue wait (ns) and times scheduled in. Throws if
 * the process is gone.
 */
export function schedstat(pid) {
  let cpuNs = 0;
  let main = [0, 0, 0];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
      cpuNs += f[0];
      if (Number(tid) === pid) main = f;
    } catch {
      // thread ended
    }
  }
  return { cpuNs, waitNs: main[1], slices: main[2] };
}

/** CPU time (ns) of a process, all threads (0 if gone). */
function processCpuNs(pid) {
  try {
    return schedstat(pid).cpuNs;
  } catch {
    return 0; // process ended
  }
}

/** CPU time (ns) used so far by the given processes, all threads, summed (one that is gone counts 0). */
export const cpuNsOf = (pids) => pids.reduce((a, pid) => a + processCpuNs(pid), 0);

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Pids of the live children of a process (from /proc/<pid>/task/<tid>/children, else by scanning /proc). */
function childPids(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      return text ? text.split(/\s+/).map(Number) : [];
    });
  } catch {
    const found = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (Number(statFields(entry)[1]) === pid) found.push(Number(entry));
      } catch {
        // gone
      }
    }
    return found;
  }
}

/**
 * User + system CPU time (ns, at the kernel's 10 ms tick) of a process from /proc/<pid>/stat,
 * including threads that have ended; with `descendants`, also that of its child processes,
 * live (recursively) or ended and waited for (cutime + cstime). 0 if the process is gone.
 */
export function processTreeCpuNs(pid, { descendants = true } = {}) {
  try {
    const f = statFields(pid);
    let ns = (Number(f[11]) + Number(f[12])) * 1e7;
    if (descendants) {
      ns += (Number(f[13]) + Number(f[14])) * 1e7;
      for (const child of childPids(pid)) ns += processTreeCpuNs(child);
    }
    return ns;
  } catch {
    return 0;
  }
}

/** CPU time (ns) of our children that have exited and been waited for (cutime + cstime). */
function reapedChildrenNs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 1e7; // fields 16 and 17 of proc(5), in ticks
}

/** Busy CPU time of the whole machine (ns), from /proc/stat (USER_HZ = 100). */
function machineBusyNs() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = f.map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - v[3] - v[4]) * 1e7;
}

/**
 * Measures how much CPU processes other than ours used while a phase ran: returns a function
 * that, called at the end, gives that as a share of the machine (0..1), or null if unknown.
 * `pids` is called at both ends, as the set of our processes changes during a phase.
 */
export function backgroundMeter(pids) {
  try {
    const wall0 = now();
    const busy0 = machineBusyNs();
    // Ours: live processes we track, plus children we started that have exited and been reaped
    // (their CPU time is added to our cutime/cstime when they are).
    const oursNow = () => pids().reduce((a, pid) => a + processCpuNs(pid), 0) + reapedChildrenNs();
    const ours0 = oursNow();
    return () => {
      const wallNs = (now() - wall0) * 1e6;
      const busy = machineBusyNs() - busy0;
      const ours = oursNow() - ours0;
      return Math.max(0, Math.min(1, (busy - ours) / (wallNs * cpus().length)));
    };
  } catch {
    return () => null;
  }
}

/** Which code was measured: git commit, whether src/ differs from it, and when dist/ was built. */
export function codeInfo(root) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--', 'src');
  let built = 'unknown';
  try {
    built = utcStamp(statSync(join(root, 'dist', 'worker.js')).mtime);
  } catch {
    // no dist
  }
  return {
    commit: commit ?? 'unknown',
    srcChanged: dirty === null ? null : dirty !== '',
    built,
  };
}

export function machineInfo(redisVersion) {
  let cpuModel = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    cpuModel = cpus()[0]?.model ?? 'unknown';
  }
  return {
    cpuModel,
    cores: cpus().length,
    node: process.version,
    redis: redisVersion,
    kernel: `${process.platform} ${release()}`,
  };
}
