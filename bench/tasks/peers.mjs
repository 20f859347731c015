// The other task queues bench/tasks.mjs compares rrq with (BullMQ, bee-queue), installed once
// from the npm registry into a cache folder outside the repository, never as dependencies of
// the project: ${XDG_CACHE_HOME:-~/.cache}/rrq-bench-peers/ (BENCH_TASKS_PEERS_DIR moves it),
// with a package.json of its own. A marker file says the install finished and with which
// requested versions; BENCH_TASKS_PEERS_UPDATE=1 installs again (to pick up a newer latest).
// The bench loads them from there with createRequire, and so do its worker child processes
// (bench/tasks/peers/*.cjs), which get the folder in RRQ_BENCH_PEERS_DIR.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What is installed: BullMQ's newest, bee-queue's newest 2.x, and the Redis client BullMQ uses. */
export const PEER_SPECS = { bullmq: 'latest', 'bee-queue': '^2', ioredis: 'latest' };
const MARKER = '.rrq-bench-peers-installed';

export function peersDir() {
  if (process.env.BENCH_TASKS_PEERS_DIR) return process.env.BENCH_TASKS_PEERS_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rrq-bench-peers');
}

// The caller's environment minus the npm_* variables `npm run` exports (its prefix would send
// the install into this repository), keeping those a user sets on purpose (registry, proxy, CA).
function npmEnv() {
  const keep = /^npm_config_(registry|cafile|ca|userconfig|globalconfig|proxy|https_proxy|http_proxy|noproxy|strict_ssl|cache)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
}

function npmInstall(cwd, logFile) {
  return new Promise((resolve, reject) => {
    const log = [];
    const child = spawn('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'], {
      cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => log.push(d));
    child.stderr.on('data', (d) => log.push(d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const text = Buffer.concat(log).toString();
      writeFileSync(logFile, text);
      if (code === 0) resolve();
      else reject(new Error(`npm install in ${cwd} failed (${signal ?? `exit ${code}`}):\n${text.trim().split('\n').slice(-20).join('\n')}`));
    });
  });
}

const wanted = () => JSON.stringify(PEER_SPECS);

function isInstalled(dir) {
  try {
    return readFileSync(join(dir, MARKER), 'utf8') === wanted()
      && Object.keys(PEER_SPECS).every((name) => existsSync(join(dir, 'node_modules', name, 'package.json')));
  } catch {
    return false;
  }
}

/**
 * Install the peers if they are not (in a staging folder, moved into place when complete, so
 * an interrupted install leaves nothing half-made behind), and resolve to
 * { dir, require (resolving from that folder), versions: { name: installed version } }.
 */
export async function ensurePeers({ log = (m) => console.log(m) } = {}) {
  const dir = peersDir();
  if (process.env.BENCH_TASKS_PEERS_UPDATE === '1' || !isInstalled(dir)) {
    const staging = `${dir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`bench: installing ${Object.entries(PEER_SPECS).map(([n, v]) => `${n}@${v}`).join(', ')} into ${dir} (once) ...`);
    try {
      writeFileSync(join(staging, 'package.json'), `${JSON.stringify({
        name: 'rrq-bench-peers',
        private: true,
        description: 'Task queues the rrq benchmark compares with (made by bench/tasks/peers.mjs in the rrq repository; not part of rrq)',
        dependencies: PEER_SPECS,
      }, null, 2)}\n`);
      await npmInstall(staging, join(staging, 'install.log'));
      writeFileSync(join(staging, MARKER), wanted());
      mkdirSync(dirname(dir), { recursive: true });
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const require = createRequire(join(dir, 'package.json'));
  const versions = Object.fromEntries(Object.keys(PEER_SPECS).map((name) => [
    name, JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version,
  ]));
  return { dir, require, versions };
}
