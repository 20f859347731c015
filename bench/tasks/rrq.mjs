// rrq (this project) for bench/tasks.mjs: tasks through the Controller of dist/core.js, run by
// worker processes started with ctl.workerSpawn from a private copy of dist/worker.js. Uses only
// Controller.connect, workerSpawn (through bench/lib/processes.mjs), workerInfo, taskCreateBulkCall,
// taskCreateExpr, taskWait, destroy and close. Same interface as bullmq.mjs and beequeue.mjs.
import { killWorkers, spawnWorkers, started } from '../lib/processes.mjs';
import { now, within } from '../lib/timing.mjs';

const noop = () => null;

/** The rrq driver on queue id `queueId` of the Redis at `url`. */
export async function openRrq({ url, queueId, Controller, workerScript, logdir, version }) {
  const ctl = await Controller.connect({ redis: url, queueId });
  started.ctl = ctl; // destroyed and closed by the run's clean-up, whatever happens
  let workers = null; // { handle, pids } from spawnWorkers
  let batch = [];
  return {
    key: 'rrq',
    name: 'rrq',
    version,
    settings: 'tasks kept with their results (rrq keeps every task record until destroy)',

    /** k worker processes, resolved once each is alive (its ALIVE event): their pids. */
    async startWorkers(k) {
      workers = await spawnWorkers(ctl, k, { logdir, workerScript });
      return workers.pids;
    },

    /** STOP message and wait for the processes to exit; killed if they have not within 10 s. */
    async stopWorkers() {
      if (!workers) return;
      const w = workers;
      workers = null;
      await within(w.handle.stop({ timeout: 10 }).catch(() => {}), 12_000);
      await killWorkers(ctl, w);
    },

    /** One ctl.taskCreateBulkCall(() => null, [0 .. n-1]). */
    async createBulk(n) {
      batch = await ctl.taskCreateBulkCall(noop, Array.from({ length: n }, (_, i) => i));
    },

    /** ctl.taskWait on every task of the last createBulk. */
    async waitAll(timeoutS) {
      const complete = await ctl.taskWait(batch, { timeout: timeoutS });
      if (complete !== true) throw new Error('rrq: some tasks finished without completing');
    },

    /** One task on an idle worker: taskCreateExpr('null') then taskWait. */
    async latencyOnce() {
      const t0 = now();
      const id = await ctl.taskCreateExpr('null');
      const complete = await ctl.taskWait(id, { timeout: 10 });
      const dt = now() - t0;
      if (complete !== true) throw new Error(`rrq: task ${id} finished without completing`);
      return dt;
    },

    /** Every key of the queue id (workers must be stopped first). */
    async clean() {
      batch = [];
      await ctl.destroy();
    },

    async close() {
      await ctl.close();
      started.ctl = null;
    },
  };
}
