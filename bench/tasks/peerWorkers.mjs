// Worker processes of the other task queues (bench/tasks/peers/*.cjs), started and stopped for
// bench/tasks.mjs: one Node process each, tracked by bench/lib/processes.mjs so that they end
// with the run whatever happens.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from '../lib/processes.mjs';
import { within } from '../lib/timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Start `k` processes of bench/tasks/peers/<script> on queue `queue` and resolve, once each has
 * said 'ready' over IPC (connected and polling), to { pids, stop() }. stop() asks them to close
 * and exit, and kills those that have not within 5 s.
 */
export async function startPeerWorkers(script, k, { url, queue, peersDir }) {
  const workers = Array.from({ length: k }, () => {
    const child = spawn(process.execPath, [join(here, 'peers', script)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, RRQ_BENCH_PEERS_DIR: peersDir, BENCH_REDIS_URL: url, BENCH_QUEUE: queue },
    });
    const exit = trackChild(child);
    const ready = new Promise((resolve, reject) => {
      child.once('message', (msg) => (msg === 'ready' ? resolve() : reject(new Error(`${script}: unexpected message ${JSON.stringify(msg)}`))));
      exit.then(({ code, signal }) => reject(new Error(`${script} exited before it was ready (${signal ?? `exit ${code}`})`)));
    });
    return { child, exit, ready };
  });
  const stop = async () => {
    for (const w of workers) if (w.child.connected) w.child.send('stop');
    const all = Promise.all(workers.map((w) => w.exit));
    if ((await within(all, 5000, 'timeout')) === 'timeout') {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await all;
    }
  };
  try {
    const outcome = await within(Promise.all(workers.map((w) => w.ready)), 30_000, 'timeout');
    if (outcome === 'timeout') throw new Error(`${script}: not ready within 30 s`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pids: workers.map((w) => w.child.pid), stop };
}

/**
 * The startWorkers/stopWorkers pair of a peer system (bench/tasks/<peer>.mjs): at most one set of
 * `script` processes at a time.
 */
export function peerWorkerSet(script, options) {
  let workers = null;
  return {
    async startWorkers(k) {
      workers = await startPeerWorkers(script, k, options);
      return workers.pids;
    },
    async stopWorkers() {
      if (!workers) return;
      const w = workers;
      workers = null;
      await w.stop();
    },
  };
}
