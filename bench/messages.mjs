// Message latency and spawn-time benchmark for rrq (run with `npm run bench`).
//
// In one run, against a private redis-server it starts on a free loopback port:
//   - PING round trip to one worker (ctl.messageSendAndWait('PING', undefined, { workerIds: [id] }))
//   - broadcast PING to 8 workers (messageSendAndWait('PING'), all responses collected)
//   - the bare-ioredis floor of the same pattern (parent RPUSH + BLPOP, child BLPOP + RPUSH)
//   - ctl.workerSpawn(1) and ctl.workerSpawn(8), next to a minimal Node child that loads
//     ioredis, reaches Redis and says so (1 and 8 in parallel), and bare `node -e 0`
// then prints a table and writes docs/benchmarks.md and docs/benchmarks-latency.svg.
//
// Options (environment): BENCH_N (samples per latency series, default 2000), BENCH_WARMUP
// (default 200), BENCH_SPAWN_REPS (default 5), BENCH_TIMEOUT_S (global guard, default 300),
// BENCH_NO_WRITE=1 (print only, do not write docs/).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Redis from 'ioredis';
import { startRedisServer } from '../test/harness/redisServer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const docsDir = join(root, 'docs');

const N = intEnv('BENCH_N', 2000);
const WARMUP = intEnv('BENCH_WARMUP', 200);
const SPAWN_REPS = intEnv('BENCH_SPAWN_REPS', 5);
const TIMEOUT_S = intEnv('BENCH_TIMEOUT_S', 300);
const ROUNDS = 4; // latency series are measured in interleaved rounds, so drift hits all alike
const WRITE = process.env.BENCH_NO_WRITE !== '1';

function intEnv(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Race `promise` against a timer that is always cleared (so no stray timer keeps Node alive). */
async function within(promise, ms, onTimeout) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(onTimeout), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const now = () => performance.now();

// ---- Cleanup bookkeeping: everything started here is tracked and ended here. -------------

const cleanup = {
  server: null, // { stop(), port }
  redisPid: null,
  ctl: null,
  handles: new Set(), // worker spawn handles
  workerPids: new Set(),
  children: new Set(), // ChildProcess objects of floor / minimal children
  connections: new Set(), // ioredis connections
  tmp: null,
  redisDir: null, // redis-server's working folder (removed by server.stop(), or by us if killed)
};

function killPid(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Pids of worker processes running this run's private copy of the worker program (its path
 * is unique to this run), including any still starting up when we are interrupted.
 */
function ourWorkerProcesses() {
  if (!cleanup.tmp) return [];
  const marker = join(cleanup.tmp, 'worker.js');
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Synchronous last resort (process 'exit'): SIGKILL whatever might still be running. */
function killEverythingNow() {
  for (const c of cleanup.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of cleanup.workerPids) killPid(pid);
  try {
    for (const pid of ourWorkerProcesses()) killPid(pid);
  } catch {
    // no /proc
  }
  if (cleanup.redisPid) killPid(cleanup.redisPid);
  for (const conn of cleanup.connections) conn.disconnect();
  if (cleanup.tmp) rmSync(cleanup.tmp, { recursive: true, force: true });
  if (cleanup.redisDir) rmSync(cleanup.redisDir, { recursive: true, force: true });
  cleanup.tmp = null;
  cleanup.redisDir = null;
}

async function cleanUp() {
  for (const h of cleanup.handles) await h.kill().catch(() => {});
  cleanup.handles.clear();
  cleanup.workerPids.clear();
  try {
    for (const pid of ourWorkerProcesses()) killPid(pid); // a spawn interrupted by an error
  } catch {
    // no /proc
  }
  for (const c of cleanup.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  cleanup.children.clear();
  if (cleanup.ctl) {
    await cleanup.ctl.destroy().catch(() => {});
    await cleanup.ctl.close().catch(() => {});
    cleanup.ctl = null;
  }
  for (const conn of cleanup.connections) conn.disconnect();
  cleanup.connections.clear();
  if (cleanup.server) {
    await cleanup.server.stop();
    cleanup.server = null;
    cleanup.redisPid = null;
    cleanup.redisDir = null; // removed by stop()
  }
  if (cleanup.tmp) rmSync(cleanup.tmp, { recursive: true, force: true });
  cleanup.tmp = null;
}

process.on('exit', killEverythingNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    killEverythingNow();
    process.exit(130);
  });
}
const guard = setTimeout(() => {
  console.error(`bench: global timeout (${TIMEOUT_S} s) reached; killing everything`);
  killEverythingNow();
  process.exit(2);
}, TIMEOUT_S * 1000);

// ---- Statistics ------------------------------------------------------------------------------

function quantile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, sorted: s, p50: quantile(s, 50), p90: quantile(s, 90), p99: quantile(s, 99), min: s[0], max: s.at(-1), mean };
}

const fmtPct = (v) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(0)} %`);
const fmtMs = (ms, digits = 3) => (Number.isFinite(ms) ? ms.toFixed(digits) : 'n/a');

// ---- Setup -------------------------------------------------------------------------------------

async function loadController() {
  const core = join(root, 'dist', 'core.js');
  const worker = join(root, 'dist', 'worker.js');
  // dist/ may be being rebuilt by someone else right now: wait for it, and retry the import.
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (!existsSync(core) || !existsSync(worker)) throw new Error('dist/core.js or dist/worker.js is missing (run `node scripts/build.mjs`)');
      const mod = await import(`${pathToFileURL(core).href}?attempt=${attempt}`);
      // Spawn workers from a private copy of the worker bundle, so a rebuild of dist/ during the
      // run cannot remove it under our feet.
      const workerCopy = join(cleanup.tmp, 'worker.js');
      copyFileSync(worker, workerCopy);
      return { Controller: mod.Controller, workerScript: workerCopy };
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(500);
    }
  }
}

/** Share of CPU time (all cores) spent busy during `ms`, from /proc/stat (null if unavailable). */
async function cpuBusyShare(ms) {
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

/** CPU time (ns) of a process, all threads, from /proc/<pid>/task/<tid>/schedstat (0 if gone). */
function processCpuNs(pid) {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread ended
      }
    }
  } catch {
    // process ended
  }
  return ns;
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
 */
function backgroundMeter(pids) {
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
function codeInfo() {
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
    built = statSync(join(root, 'dist', 'worker.js')).mtime.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  } catch {
    // no dist
  }
  return {
    commit: commit ?? 'unknown',
    srcChanged: dirty === null ? null : dirty !== '',
    built,
  };
}

function machineInfo(redisVersion) {
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

async function openRedis(url, name) {
  const conn = new Redis(url, { connectionName: name, maxRetriesPerRequest: null, lazyConnect: true });
  conn.on('error', () => {});
  await conn.connect();
  cleanup.connections.add(conn);
  return conn;
}

function closeRedis(conn) {
  cleanup.connections.delete(conn);
  conn.disconnect();
}

function ourPids() {
  return [process.pid, cleanup.redisPid, ...cleanup.workerPids, ...[...cleanup.children].map((c) => c.pid)].filter(Boolean);
}

function trackChild(child) {
  cleanup.children.add(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      cleanup.children.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      cleanup.children.delete(child);
      resolve({ code: -1, signal: null, err });
    });
  });
  return exited;
}

// ---- Spawn times -------------------------------------------------------------------------------

/** Time from spawn() of `node -e 0` until it exits (Node start-up cost alone). */
async function nodeBareStart() {
  const t0 = now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await trackChild(child);
  return now() - t0;
}

/**
 * Time from spawn() of n minimal children (load ioredis, connect, PING, PUBLISH) until the
 * parent, already subscribed, has heard from all of them (what workerSpawn waits for too).
 */
async function minimalChildren(url, subscriber, channel, n) {
  const want = new Set(Array.from({ length: n }, (_, i) => `c${i}`));
  let done;
  const all = new Promise((resolve) => { done = resolve; });
  const onMessage = (ch, text) => {
    if (ch === channel && want.delete(text) && want.size === 0) done();
  };
  subscriber.on('message', onMessage);
  const t0 = now();
  const exits = [];
  for (let i = 0; i < n; i += 1) {
    const child = spawn(process.execPath, [join(here, 'minimal-child.cjs'), url, channel, `c${i}`], {
      stdio: ['ignore', 'ignore', 'inherit'], detached: true,
    });
    exits.push(trackChild(child));
  }
  const outcome = await within(all, 30_000, 'timeout');
  const elapsed = now() - t0;
  subscriber.off('message', onMessage);
  if (outcome === 'timeout') throw new Error(`minimal children did not reach Redis within 30 s (${want.size} missing)`);
  await Promise.all(exits);
  return elapsed;
}

async function spawnWorkers(ctl, n, spawnOptions) {
  const t0 = now();
  const handle = await ctl.workerSpawn(n, { ...spawnOptions, timeout: 30 });
  const elapsed = now() - t0;
  cleanup.handles.add(handle);
  const info = await ctl.workerInfo(handle.ids);
  for (const id of handle.ids) if (info[id]?.pid) cleanup.workerPids.add(info[id].pid);
  return { handle, elapsed, pids: handle.ids.map((id) => info[id]?.pid) };
}

async function killWorkers(ctl, spawned) {
  await spawned.handle.kill();
  cleanup.handles.delete(spawned.handle);
  for (const pid of spawned.pids) cleanup.workerPids.delete(pid);
  await ctl.workerDeleteExited(spawned.handle.ids).catch(() => {});
}

// ---- Latency -----------------------------------------------------------------------------------

/**
 * The bare floor: `n` child processes, each BLPOPping its own request list and RPUSHing to a
 * shared reply list. The parent RPUSHes one request per child (one write) and BLPOPs n replies
 * (pipelined) on its own connection. n = 1 is the floor of a PING to one worker; n = 8 of a
 * broadcast to 8.
 */
async function startFloor(url, n) {
  const base = `bench:floor:${process.pid}:${n}`;
  const replyKey = `${base}:reply`;
  const requestKeys = Array.from({ length: n }, (_, i) => `${base}:request:${i}`);
  const exits = requestKeys.map((key) => {
    const child = spawn(process.execPath, [join(here, 'floor-child.cjs'), url, key, replyKey], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return trackChild(child);
  });
  const conn = await openRedis(url, `bench:floor:parent:${n}`);
  const once = async (i) => {
    const t0 = now();
    if (n === 1) {
      conn.rpush(requestKeys[0], String(i)); // not awaited: its reply comes before BLPOP's
      await conn.blpop(replyKey, 0);
    } else {
      const p = conn.pipeline();
      for (const key of requestKeys) p.rpush(key, String(i));
      p.exec();
      await Promise.all(requestKeys.map(() => conn.blpop(replyKey, 0)));
    }
    return now() - t0;
  };
  // One round trip through every child before timing anything proves they are listening.
  const first = await within(once(-1), 20_000, 'timeout');
  if (first === 'timeout') throw new Error(`floor children (${n}) did not answer within 20 s`);
  return {
    once,
    async stop() {
      for (const key of requestKeys) await conn.rpush(key, 'STOP');
      await within(Promise.all(exits), 5000);
      closeRedis(conn);
    },
  };
}

/** Warm up each series, then interleave them in ROUNDS blocks of N / ROUNDS samples each. */
async function measureInterleaved(series) {
  const samples = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
  for (const [, fn] of Object.entries(series)) for (let i = 0; i < WARMUP; i += 1) await fn(i);
  const perRound = Math.ceil(N / ROUNDS);
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const [name, fn] of Object.entries(series)) {
      for (let i = 0; i < perRound && samples[name].length < N; i += 1) samples[name].push(await fn(i));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

// ---- Report ------------------------------------------------------------------------------------

function svgCdf(seriesList, goals) {
  // Percentile plot: x = round trip (log scale), y = percentile, linear up to p50 and then on a
  // tail-stretching scale (-log10(1 - p): p90, p99, p99.9 equally spaced), so the tail shows.
  const W = 780;
  const H = 470;
  const m = { l: 64, r: 24, t: 40, b: 120 };
  const all = seriesList.flatMap((s) => s.stats.sorted);
  const lo = Math.max(0.01, Math.min(...all, ...goals.map((g) => g.ms)) * 0.8); // goals always show
  const hi = Math.max(2, Math.max(...all) * 1.1);
  const maxN = Math.max(...seriesList.map((s) => s.stats.n));
  const yTop = Math.log10(maxN); // p = 1 - 1/n, the highest percentile a series can show
  const lx = (v) => Math.log10(Math.min(Math.max(v, lo), hi));
  const x = (v) => m.l + ((lx(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - m.l - m.r);
  // The lower half (p0..p50) gets a linear 30 % of the height; p50 and up the rest, log-stretched.
  const A = 0.3;
  const tail = (p) => (Math.min(-Math.log10(Math.max(1 - p, 1e-9)), yTop) - Math.log10(2)) / (yTop - Math.log10(2));
  const y = (p) => H - m.b - (p < 0.5 ? (p / 0.5) * A : A + tail(p) * (1 - A)) * (H - m.t - m.b);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">Message round trip by percentile (${maxN} samples per series)</text>`);
  const ticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500].filter((t) => t >= lo && t <= hi);
  for (const t of ticks) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${m.t}" x2="${x(t).toFixed(1)}" y2="${H - m.b}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  }
  for (const p of [0, 0.25, 0.5, 0.9, 0.99, 0.999].filter((q) => -Math.log10(1 - q) <= yTop + 1e-9)) {
    out.push(`<line x1="${m.l}" y1="${y(p).toFixed(1)}" x2="${W - m.r}" y2="${y(p).toFixed(1)}" stroke="${p === 0.5 || p === 0.99 ? '#bbb' : '#e4e4e4'}"/>`);
    out.push(`<text x="${m.l - 6}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">p${+(p * 100).toFixed(1)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 36}" text-anchor="middle">round trip (ms, log scale)</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">percentile</text>`);
  for (const g of goals) {
    if (g.ms < lo || g.ms > hi) continue;
    out.push(`<line x1="${x(g.ms).toFixed(1)}" y1="${m.t}" x2="${x(g.ms).toFixed(1)}" y2="${H - m.b}" stroke="${g.color}" stroke-dasharray="5 4"/>`);
    out.push(`<text x="${(x(g.ms) + 3).toFixed(1)}" y="${m.t + 12 + g.row * 13}" fill="${g.color}" font-size="11">${g.label}</text>`);
  }
  for (const s of seriesList) {
    const v = s.stats.sorted;
    const pts = v.map((ms, i) => [x(ms), y(i / v.length)]);
    pts.push([x(v.at(-1)), y(1 - 1 / v.length)]);
    // Thin the points to about one per pixel row/column.
    const kept = [pts[0]];
    for (const [i, pt] of pts.entries()) {
      const last = kept.at(-1);
      if (i === pts.length - 1 || Math.abs(pt[0] - last[0]) >= 0.5 || Math.abs(pt[1] - last[1]) >= 0.5) kept.push(pt);
    }
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${kept.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`);
  }
  seriesList.forEach((s, i) => {
    const ly = H - m.b + 62 + i * 18;
    out.push(`<line x1="${m.l}" y1="${ly - 4}" x2="${m.l + 24}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${m.l + 30}" y="${ly}">${s.label}: p50 ${fmtMs(s.stats.p50)} ms, p99 ${fmtMs(s.stats.p99)} ms, max ${fmtMs(s.stats.max)} ms</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const ratio = (a, b) => `${(a / b).toFixed(1)}×`;
const delta = (a, b, digits) => `${a - b >= 0 ? '+' : '−'}${Math.abs(a - b).toFixed(digits)}`;

function verdict(ok) {
  return ok ? 'yes' : '**no**';
}

function buildReport(r) {
  const { machine, lat, spawn: sp, load, code } = r;
  const rows = [
    ['PING round trip, 1 worker (`messageSendAndWait`)', `${fmtMs(lat.ping.p50)} / ${fmtMs(lat.ping.p99)} ms`,
      'p50 ≤ 0.25 ms, p99 ≤ 1 ms', verdict(lat.ping.p50 <= 0.25 && lat.ping.p99 <= 1),
      'rrq `message_send_and_wait`: 51 ms p50 at its default poll, 0.64 ms with polling off'],
    ['Broadcast PING, 8 workers, all responses', `${fmtMs(lat.broadcast.p50)} / ${fmtMs(lat.broadcast.p99)} ms`,
      'p50 ≤ 1.5 ms', verdict(lat.broadcast.p50 <= 1.5), '–'],
    ['Bare ioredis floor (RPUSH → child BLPOP → RPUSH → BLPOP)', `${fmtMs(lat.floor.p50)} / ${fmtMs(lat.floor.p99)} ms`,
      '(floor)', '–', '~0.1 ms p50 on this kind of machine'],
    ['Bare ioredis floor, 8 children (one request each, 8 replies)', `${fmtMs(lat.floor8.p50)} / ${fmtMs(lat.floor8.p99)} ms`,
      '(floor for broadcast-8)', '–', '–'],
    ['`workerSpawn(1)`, call to resolve', `${fmtMs(sp.w1.median, 0)} / ${fmtMs(sp.w1.min, 0)} ms`,
      '< 150 ms', verdict(sp.w1.median < 150), 'rrq: 1 worker in 0.25 s'],
    ['`workerSpawn(8)`, call to resolve', `${fmtMs(sp.w8.median, 0)} / ${fmtMs(sp.w8.min, 0)} ms`,
      '< 500 ms', verdict(sp.w8.median < 500), 'rrq: 4 workers in 0.6 s'],
    ['Minimal Node child until it reaches Redis, 1', `${fmtMs(sp.c1.median, 0)} / ${fmtMs(sp.c1.min, 0)} ms`,
      '(baseline)', '–', '~85 ms'],
    ['Minimal Node child until it reaches Redis, 8 in parallel', `${fmtMs(sp.c8.median, 0)} / ${fmtMs(sp.c8.min, 0)} ms`,
      '(baseline)', '–', '~385 ms'],
    ['`node -e 0`, spawn to exit', `${fmtMs(sp.bare.median, 0)} / ${fmtMs(sp.bare.min, 0)} ms`,
      '(baseline)', '–', '–'],
  ];
  const table = [
    '| Measure | Measured (latency: p50 / p99; spawn: median / min) | Goal | Met | Reference |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  const detail = [
    '| Series | n | min | p50 | p90 | p99 | max | mean |',
    '|---|---|---|---|---|---|---|---|',
    ...[['PING, 1 worker', lat.ping], ['Bare ioredis floor', lat.floor], ['Broadcast PING, 8 workers', lat.broadcast], ['Bare ioredis floor, 8 children', lat.floor8]]
      .map(([name, s]) => `| ${name} | ${s.n} | ${fmtMs(s.min)} | ${fmtMs(s.p50)} | ${fmtMs(s.p90)} | ${fmtMs(s.p99)} | ${fmtMs(s.max)} | ${fmtMs(s.mean)} |`),
  ].join('\n');
  const spawnDetail = [
    '| Spawn series | runs (ms) |',
    '|---|---|',
    ...[['workerSpawn(1)', sp.w1], ['workerSpawn(8)', sp.w8], ['minimal child ×1', sp.c1], ['minimal child ×8', sp.c8], ['node -e 0', sp.bare]]
      .map(([name, s]) => `| ${name} | ${s.runs.map((v) => v.toFixed(0)).join(', ')} |`),
  ].join('\n');
  return `# Benchmarks: message latency and worker spawn time

Written by \`bench/messages.mjs\` (\`npm run bench\`); do not edit by hand, run the bench again.

- Date: ${r.date}
- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.kernel}
- Node ${machine.node}, redis-server ${machine.redis} (private instance on a free loopback port, no persistence)
- Code: commit ${code.commit}${code.srcChanged === null ? '' : code.srcChanged ? ' plus uncommitted changes in src/' : ', src/ unchanged'}; dist/ built ${code.built}
- Load average (1/5/15 min, includes this bench's own processes) at start: ${load.start.map((v) => v.toFixed(2)).join(' / ')}, at end: ${load.end.map((v) => v.toFixed(2)).join(' / ')}
- CPU used by other processes (share of all cores): ${fmtPct(load.busyBefore)} in the second before the run, ${fmtPct(load.backgroundSpawn)} during the spawn runs, ${fmtPct(load.background1)} during the 1-worker latency runs, ${fmtPct(load.background8)} during the broadcast runs
- Latency samples per series: ${lat.ping.n} after ${WARMUP} warm-up round trips, interleaved in ${ROUNDS} rounds; spawn runs: ${SPAWN_REPS} each, interleaved with the baselines

## Results

${table}

Relative to the baselines measured in the same run:

- PING, 1 worker: ${ratio(lat.ping.p50, lat.floor.p50)} the bare floor at p50 (${delta(lat.ping.p50, lat.floor.p50, 3)} ms).
- Broadcast to 8: ${ratio(lat.broadcast.p50, lat.floor8.p50)} the 8-child floor at p50 (${delta(lat.broadcast.p50, lat.floor8.p50, 3)} ms).
- \`workerSpawn(1)\`: ${delta(sp.w1.median, sp.c1.median, 0)} ms against a minimal Node child reaching Redis; \`workerSpawn(8)\`: ${delta(sp.w8.median, sp.c8.median, 0)} ms against 8 of them.
${[lat.floor.p50 > 0.25 ? `- The goal PING p50 ≤ 0.25 ms is below this machine's bare floor (${fmtMs(lat.floor.p50)} ms) in this run.` : '',
    lat.floor8.p50 > 1.5 ? `- The goal broadcast-8 p50 ≤ 1.5 ms is below this machine's 8-child floor (${fmtMs(lat.floor8.p50)} ms) in this run.` : '',
    sp.c1.median >= 150 ? `- A minimal Node child takes ${fmtMs(sp.c1.median, 0)} ms to reach Redis here (\`node -e 0\` alone: ${fmtMs(sp.bare.median, 0)} ms), more than the 150 ms spawn-1 goal.` : '',
    sp.c8.median >= 500 ? `- 8 minimal Node children take ${fmtMs(sp.c8.median, 0)} ms here, more than the 500 ms spawn-8 goal.` : '']
    .filter(Boolean).join('\n')}

Latency detail (ms):

${detail}

Spawn runs:

${spawnDetail}

![Cumulative distribution of the message round trip](benchmarks-latency.svg)

## What is measured

- **PING, 1 worker**: \`ctl.messageSendAndWait('PING', undefined, { workerIds: [id] })\`, from call to
  resolve: the send script (id from Redis TIME, RPUSH on the worker's message list), the worker's
  BLPOP wake-up and its answer (response record, log entries, RESPONSE event with the response
  inlined), the controller woken by that event, and the deletion of the response (\`delete\`
  defaults to true).
- **Broadcast PING, 8 workers**: \`ctl.messageSendAndWait('PING')\` with 8 active workers; resolves when
  all 8 responses are in.
- **Bare ioredis floor**: the same request/reply pattern with nothing else: the parent RPUSHes a
  request and BLPOPs the reply on its own connection; a child process BLPOPs the request list and
  RPUSHes the reply. Nothing can go faster through Redis with two Node processes. The 8-child
  floor does the same with 8 children (one request list each, one shared reply list): the floor
  for a broadcast to 8 workers on this machine.
- **workerSpawn(n)**: from the call until it resolves (every worker has published ALIVE). Workers are
  killed between runs. The **minimal Node child** starts \`node bench/minimal-child.cjs\`, which
  requires ioredis, connects, PINGs and PUBLISHes; timed from spawn until the (already subscribed)
  parent hears from all of them. \`node -e 0\` is Node's own start-up, spawn to exit.

Reference figures from R's rrq on this kind of machine: bare floor ~0.1 ms p50; rrq
\`message_send_and_wait\` 51 ms p50 at its default poll and 0.64 ms with polling off; forking a minimal
Node child until it reaches Redis ~85 ms (1) and ~385 ms (8); rrq spawns 1 worker in 0.25 s and 4 in 0.6 s.

## Looking closer

- \`node bench/trace-ping.mjs\`: time line of one PING round trip, from every socket write and read
  of the controller and the worker on the shared monotonic clock (median per step), and the share
  of round trips in which the message arrived before the worker had re-armed its blocking pop.
- \`node bench/cpu-ping.mjs\`: CPU time, run-queue wait and wake-ups per round trip of each process
  (controller, worker(s), redis-server), for PING, broadcast and the bare floor.

## How to run

\`\`\`
npm run bench          # = npm run build && node bench/messages.mjs
BENCH_N=5000 node bench/messages.mjs   # more samples (BENCH_WARMUP, BENCH_SPAWN_REPS too)
\`\`\`

It needs \`redis-server\` on the PATH; it starts its own on a free port and stops it, and never touches
127.0.0.1:6379. Timings are noisy when other processes load the machine (it has ${machine.cores} cores, and
a round trip needs the controller, Redis and a worker to be scheduled in turn): check the CPU used by
other processes above, and compare against the floor measured in the same run, before reading much
into a difference between runs. p99 values in particular can move by a factor of 2 between runs.
`;
}

// ---- Main --------------------------------------------------------------------------------------

async function main() {
  const loadStart = loadavg();
  const busyBefore = await cpuBusyShare(1000); // other processes' load, before we start anything
  cleanup.tmp = mkdtempSync(join(tmpdir(), 'rrq-bench-'));
  const code = codeInfo(); // before loading, so it describes the dist/ that is loaded
  const { Controller, workerScript } = await loadController();

  const server = await startRedisServer();
  cleanup.server = server;
  const url = server.url;
  const probe = await openRedis(url, 'bench:probe');
  const serverInfo = await probe.info('server');
  cleanup.redisPid = Number(/process_id:(\d+)/.exec(serverInfo)?.[1]) || null;
  const dirReply = await probe.config('GET', 'dir');
  const redisDir = Array.isArray(dirReply) ? dirReply[1] : dirReply?.dir;
  if (typeof redisDir === 'string' && redisDir.startsWith(join(tmpdir(), 'rrq-test-redis-'))) cleanup.redisDir = redisDir;
  const redisVersion = /redis_version:(\S+)/.exec(serverInfo)?.[1] ?? 'unknown';
  closeRedis(probe);
  const machine = machineInfo(redisVersion);
  console.log(`bench: redis-server ${redisVersion} on ${url}; ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; load ${loadStart.map((v) => v.toFixed(2)).join(' ')}; CPU busy before start ${busyBefore === null ? 'n/a' : `${(busyBefore * 100).toFixed(0)} %`}`);

  const ctl = await Controller.connect({ redis: url });
  cleanup.ctl = ctl;
  const logdir = join(cleanup.tmp, 'logs');
  mkdirSync(logdir, { recursive: true });
  const spawnOptions = { logdir, workerScript };

  // --- Spawn times, interleaved with the baselines so they see the same machine state. ---
  console.log(`bench: spawn times (${SPAWN_REPS} runs each) ...`);
  const subscriber = await openRedis(url, 'bench:spawn-subscriber');
  const channel = `bench:spawn:${process.pid}`;
  await subscriber.subscribe(channel);
  // One untimed round of everything first: loads files into the page cache.
  await nodeBareStart();
  await minimalChildren(url, subscriber, channel, 1);
  await killWorkers(ctl, await spawnWorkers(ctl, 1, spawnOptions));
  const runs = { bare: [], c1: [], c8: [], w1: [], w8: [] };
  const spawnMeter = backgroundMeter(ourPids);
  for (let rep = 0; rep < SPAWN_REPS; rep += 1) {
    runs.bare.push(await nodeBareStart());
    await sleep(100);
    runs.c1.push(await minimalChildren(url, subscriber, channel, 1));
    await sleep(100);
    let s = await spawnWorkers(ctl, 1, spawnOptions);
    runs.w1.push(s.elapsed);
    await killWorkers(ctl, s);
    await sleep(200);
    runs.c8.push(await minimalChildren(url, subscriber, channel, 8));
    await sleep(200);
    s = await spawnWorkers(ctl, 8, spawnOptions);
    runs.w8.push(s.elapsed);
    await killWorkers(ctl, s);
    await sleep(300);
    process.stdout.write(`  run ${rep + 1}: spawn1 ${runs.w1.at(-1).toFixed(0)} ms, spawn8 ${runs.w8.at(-1).toFixed(0)} ms, child1 ${runs.c1.at(-1).toFixed(0)} ms, child8 ${runs.c8.at(-1).toFixed(0)} ms, node -e 0 ${runs.bare.at(-1).toFixed(0)} ms\n`);
  }
  const backgroundSpawn = spawnMeter();
  await subscriber.unsubscribe(channel);
  closeRedis(subscriber);
  const spawnStats = Object.fromEntries(Object.entries(runs).map(([k, v]) => {
    const s = [...v].sort((a, b) => a - b);
    const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return [k, { runs: v, median, min: s[0] }];
  }));

  // --- Latency: PING to one worker, interleaved with the bare floor. ---
  console.log(`bench: PING round trip to 1 worker vs bare floor (${WARMUP} warm-up, ${N} samples each) ...`);
  const floor = await startFloor(url, 1);
  const one = await spawnWorkers(ctl, 1, spawnOptions);
  const [oneId] = one.handle.ids;
  const pingOnce = async () => {
    const t0 = now();
    const r = await ctl.messageSendAndWait('PING', undefined, { workerIds: [oneId], timeout: 10 });
    const dt = now() - t0;
    if (r[oneId] !== 'PONG') throw new Error(`unexpected PING response ${JSON.stringify(r)}`);
    return dt;
  };
  let meter = backgroundMeter(ourPids);
  const lat1 = await measureInterleaved({ floor: (i) => floor.once(i), ping: pingOnce });
  const background1 = meter();
  await killWorkers(ctl, one);

  // --- Latency: broadcast PING to 8 workers. ---
  console.log('bench: broadcast PING to 8 workers ...');
  const eight = await spawnWorkers(ctl, 8, spawnOptions);
  const broadcastOnce = async () => {
    const t0 = now();
    const r = await ctl.messageSendAndWait('PING', undefined, { timeout: 10 });
    const dt = now() - t0;
    const answered = Object.values(r).filter((v) => v === 'PONG').length;
    if (answered !== 8) throw new Error(`broadcast PING got ${answered} PONGs: ${JSON.stringify(r)}`);
    return dt;
  };
  await floor.stop();
  const floor8 = await startFloor(url, 8);
  meter = backgroundMeter(ourPids);
  const lat8 = await measureInterleaved({ broadcast: broadcastOnce, floor8: (i) => floor8.once(i) });
  const background8 = meter();
  await floor8.stop();
  await killWorkers(ctl, eight);

  const loadEnd = loadavg();
  const result = {
    date: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    machine,
    code,
    load: { start: loadStart, end: loadEnd, busyBefore, background1, background8, backgroundSpawn },
    lat: { ping: lat1.ping, floor: lat1.floor, broadcast: lat8.broadcast, floor8: lat8.floor8 },
    spawn: spawnStats,
  };

  // --- Print ---
  const L = result.lat;
  const S = result.spawn;
  const line = (name, a, b, goal) => console.log(`${name.padEnd(44)} ${a.padStart(10)} ${b.padStart(10)}   ${goal}`);
  console.log('');
  line('measure', 'p50/median', 'p99/min', 'goal / reference');
  line('PING round trip, 1 worker (ms)', fmtMs(L.ping.p50), fmtMs(L.ping.p99), `p50 <= 0.25, p99 <= 1  ${L.ping.p50 <= 0.25 && L.ping.p99 <= 1 ? 'MET' : 'NOT MET'}`);
  line('broadcast PING, 8 workers (ms)', fmtMs(L.broadcast.p50), fmtMs(L.broadcast.p99), `p50 <= 1.5  ${L.broadcast.p50 <= 1.5 ? 'MET' : 'NOT MET'}`);
  line('bare ioredis floor (ms)', fmtMs(L.floor.p50), fmtMs(L.floor.p99), 'rrq ref ~0.1 p50');
  line('bare floor, 8 children (ms)', fmtMs(L.floor8.p50), fmtMs(L.floor8.p99), '(floor for broadcast-8)');
  line('workerSpawn(1) (ms)', fmtMs(S.w1.median, 0), fmtMs(S.w1.min, 0), `< 150  ${S.w1.median < 150 ? 'MET' : 'NOT MET'}  (rrq 250)`);
  line('workerSpawn(8) (ms)', fmtMs(S.w8.median, 0), fmtMs(S.w8.min, 0), `< 500  ${S.w8.median < 500 ? 'MET' : 'NOT MET'}  (rrq 4 workers: 600)`);
  line('minimal node child reaches Redis, 1 (ms)', fmtMs(S.c1.median, 0), fmtMs(S.c1.min, 0), 'ref ~85');
  line('minimal node child reaches Redis, 8 (ms)', fmtMs(S.c8.median, 0), fmtMs(S.c8.min, 0), 'ref ~385');
  line('node -e 0, spawn to exit (ms)', fmtMs(S.bare.median, 0), fmtMs(S.bare.min, 0), '');
  console.log(`load average start ${loadStart.map((v) => v.toFixed(2)).join(' ')}, end ${loadEnd.map((v) => v.toFixed(2)).join(' ')}`);
  console.log(`CPU used by other processes: ${fmtPct(busyBefore)} before start, ${fmtPct(backgroundSpawn)} during spawn runs, ${fmtPct(background1)} during 1-worker latency, ${fmtPct(background8)} during broadcast`);

  if (WRITE) {
    mkdirSync(docsDir, { recursive: true });
    // Keep the extension section written by bench/extension.mjs.
    const reportFile = join(docsDir, 'benchmarks.md');
    const previous = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '';
    const extensionSection = /<!-- extension:start -->[\s\S]*<!-- extension:end -->\n?/.exec(previous)?.[0] ?? '';
    writeFileSync(reportFile, buildReport(result) + (extensionSection ? `\n${extensionSection}` : ''));
    writeFileSync(join(docsDir, 'benchmarks-latency.svg'), svgCdf([
      { label: 'bare ioredis floor', color: '#2a9d8f', stats: L.floor },
      { label: 'rrq PING, 1 worker', color: '#e76f51', stats: L.ping },
      { label: 'bare floor, 8 children', color: '#8ab17d', stats: L.floor8 },
      { label: 'rrq broadcast PING, 8 workers', color: '#264653', stats: L.broadcast },
    ], [
      { ms: 0.25, label: 'goal PING p50 0.25 ms', color: '#e76f51', row: 0 },
      { ms: 1, label: 'goal PING p99 1 ms', color: '#e76f51', row: 1 },
      { ms: 1.5, label: 'goal broadcast p50 1.5 ms', color: '#264653', row: 2 },
    ]));
    console.log(`wrote ${join('docs', 'benchmarks.md')} and ${join('docs', 'benchmarks-latency.svg')}`);
  }
  return result;
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  exitCode = 1;
} finally {
  await within(cleanUp().catch((err) => console.error(`cleanup: ${err.message}`)), 15_000);
  clearTimeout(guard);
}
process.exitCode = exitCode;
// Anything still holding the event loop open at this point is a leak: leave anyway.
setTimeout(() => {
  console.error('bench: something still held the event loop after cleanup; exiting');
  process.exit(exitCode);
}, 2000).unref();
