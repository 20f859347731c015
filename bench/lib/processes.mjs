// Everything a benchmark run starts (a private redis-server, rrq workers, child processes, Redis
// connections, a temporary folder) is registered here, so that it ends on every way out of the
// run: its normal end, an error, Ctrl-C, or the run's time-out guard.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Redis from 'ioredis';
import { startRedisServer } from '../../test/harness/redisServer.mjs';
import { now, sleep, within } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What this run has started and not yet ended. Set `ctl` to have the controller closed. */
export const started = {
  server: null, // { stop(), url }
  redisPid: null,
  ctl: null,
  handles: new Set(), // worker spawn handles
  workerPids: new Set(),
  children: new Set(), // ChildProcess objects
  connections: new Set(), // ioredis connections
  closers: new Set(), // async functions that end something else (another library's connections)
  tmp: null,
  redisDir: null, // redis-server's working folder (removed by server.stop(), or by us if killed)
};

let runName = 'bench';
let guard = null;

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
  if (!started.tmp) return [];
  const marker = join(started.tmp, 'worker.js');
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

function killOurWorkerProcesses() {
  try {
    for (const pid of ourWorkerProcesses()) killPid(pid);
  } catch {
    // no /proc
  }
}

const killChildren = () => {
  for (const c of started.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};

/** Synchronous last resort (process 'exit'): SIGKILL whatever might still be running. */
function killEverythingNow() {
  killChildren();
  for (const pid of started.workerPids) killPid(pid);
  killOurWorkerProcesses();
  if (started.redisPid) killPid(started.redisPid);
  for (const conn of started.connections) conn.disconnect();
  if (started.tmp) rmSync(started.tmp, { recursive: true, force: true });
  if (started.redisDir) rmSync(started.redisDir, { recursive: true, force: true });
  started.tmp = null;
  started.redisDir = null;
}

async function cleanUp() {
  for (const h of started.handles) await h.kill().catch(() => {});
  started.handles.clear();
  started.workerPids.clear();
  killOurWorkerProcesses(); // a spawn interrupted by an error
  killChildren();
  started.children.clear();
  for (const close of started.closers) await within(Promise.resolve().then(close).catch(() => {}), 5000);
  started.closers.clear();
  if (started.ctl) {
    await started.ctl.destroy().catch(() => {});
    await started.ctl.close().catch(() => {});
    started.ctl = null;
  }
  for (const conn of started.connections) conn.disconnect();
  started.connections.clear();
  if (started.server) {
    await started.server.stop();
    started.server = null;
    started.redisPid = null;
    started.redisDir = null; // removed by stop()
  }
  if (started.tmp) rmSync(started.tmp, { recursive: true, force: true });
  started.tmp = null;
}

/**
 * Begin a run: its temporary folder (returned), the handlers that kill everything it starts if
 * the process exits or is interrupted, and a guard that does so after `timeoutS` seconds.
 */
export function startRun({ name = 'bench', prefix = 'rrq-bench-', timeoutS }) {
  runName = name;
  started.tmp = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', killEverythingNow);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      killEverythingNow();
      process.exit(130);
    });
  }
  guard = setTimeout(() => {
    console.error(`${runName}: global timeout (${timeoutS} s) reached; killing everything`);
    killEverythingNow();
    process.exit(2);
  }, timeoutS * 1000);
  return started.tmp;
}

/** Run `main`, then end everything the run started, whether it failed or not. */
export async function runToEnd(main) {
  let exitCode = 0;
  try {
    await main();
  } catch (err) {
    console.error(`${runName} failed: ${err.stack ?? err.message}`);
    exitCode = 1;
  } finally {
    await within(cleanUp().catch((err) => console.error(`cleanup: ${err.message}`)), 15_000);
    clearTimeout(guard);
  }
  process.exitCode = exitCode;
  // Anything still holding the event loop open at this point is a leak: leave anyway.
  setTimeout(() => {
    console.error(`${runName}: something still held the event loop after cleanup; exiting`);
    process.exit(exitCode);
  }, 2000).unref();
}

/**
 * rrq's Controller from dist/core.js, and a private copy of dist/worker.js in the run's folder to
 * spawn workers from: a rebuild of dist/ during the run cannot remove it under our feet, and its
 * path tells our workers from anyone else's.
 */
export async function loadController() {
  const core = join(root, 'dist', 'core.js');
  const worker = join(root, 'dist', 'worker.js');
  // dist/ may be being rebuilt by someone else right now: wait for it, and retry the import.
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (!existsSync(core) || !existsSync(worker)) throw new Error('dist/core.js or dist/worker.js is missing (run `node scripts/build.mjs`)');
      const mod = await import(`${pathToFileURL(core).href}?attempt=${attempt}`);
      const workerCopy = join(started.tmp, 'worker.js');
      copyFileSync(worker, workerCopy);
      return { Controller: mod.Controller, workerScript: workerCopy };
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(500);
    }
  }
}

export async function openRedis(url, name) {
  const conn = new Redis(url, { connectionName: name, maxRetriesPerRequest: null, lazyConnect: true });
  conn.on('error', () => {});
  await conn.connect();
  started.connections.add(conn);
  return conn;
}

export function closeRedis(conn) {
  started.connections.delete(conn);
  conn.disconnect();
}

/** A private redis-server on a free loopback port (never the one on 6379): { url, version, pid }. */
export async function startPrivateRedis() {
  const server = await startRedisServer();
  started.server = server;
  const probe = await openRedis(server.url, 'bench:probe');
  const serverInfo = await probe.info('server');
  started.redisPid = Number(/process_id:(\d+)/.exec(serverInfo)?.[1]) || null;
  const dirReply = await probe.config('GET', 'dir');
  const redisDir = Array.isArray(dirReply) ? dirReply[1] : dirReply?.dir;
  if (typeof redisDir === 'string' && redisDir.startsWith(join(tmpdir(), 'rrq-test-redis-'))) started.redisDir = redisDir;
  const version = /redis_version:(\S+)/.exec(serverInfo)?.[1] ?? 'unknown';
  closeRedis(probe);
  return { url: server.url, version, pid: started.redisPid };
}

/**
 * Have `close` (async) called when the run ends, if it has not been by then; returns the
 * function that calls it now (once) instead. For what the run opens through other libraries.
 */
export function onCleanup(close) {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    started.closers.delete(once);
    await close();
  };
  started.closers.add(once);
  return once;
}

/** Resolves with { code, signal } when the child exits; until then it is killed on the way out. */
export function trackChild(child) {
  started.children.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      started.children.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      started.children.delete(child);
      resolve({ code: -1, signal: null, err });
    });
  });
}

/** This process and every live process the run has started (for the CPU meters). */
export function ourPids() {
  return [process.pid, started.redisPid, ...started.workerPids, ...[...started.children].map((c) => c.pid)].filter(Boolean);
}

/** ctl.workerSpawn(n), timed from the call until it resolves: { handle, elapsed, pids }. */
export async function spawnWorkers(ctl, n, spawnOptions) {
  const t0 = now();
  const handle = await ctl.workerSpawn(n, { ...spawnOptions, timeout: 30 });
  const elapsed = now() - t0;
  started.handles.add(handle);
  const info = await ctl.workerInfo(handle.ids);
  for (const id of handle.ids) if (info[id]?.pid) started.workerPids.add(info[id].pid);
  return { handle, elapsed, pids: handle.ids.map((id) => info[id]?.pid) };
}

export async function killWorkers(ctl, spawned) {
  await spawned.handle.kill();
  started.handles.delete(spawned.handle);
  for (const pid of spawned.pids) started.workerPids.delete(pid);
  await ctl.workerDeleteExited(spawned.handle.ids).catch(() => {});
}
