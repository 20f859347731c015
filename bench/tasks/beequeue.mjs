// bee-queue for bench/tasks.mjs, installed outside the repository by bench/tasks/peers.mjs: a
// producer Queue in this process (isWorker false, getEvents true, storeJobs true), worker
// processes from bench/tasks/peers/beequeue-worker.cjs (concurrency 1, no-op handler,
// removeOnSuccess false: finished jobs are kept). Same interface as rrq.mjs and bullmq.mjs.
import { onCleanup } from '../lib/processes.mjs';
import { now } from '../lib/timing.mjs';
import { completionTracker } from './completion.mjs';
import { peerWorkerSet } from './peerWorkers.mjs';

/** The bee-queue driver on queue `queue` of the Redis at `url`. */
export async function openBeequeue({ url, queue: name, peers }) {
  const Queue = peers.require('bee-queue');
  const u = new URL(url);
  const queue = new Queue(name, {
    redis: { host: u.hostname, port: Number(u.port) },
    isWorker: false,
    getEvents: true,
    sendEvents: false,
    storeJobs: true,
    removeOnSuccess: false,
    activateDelayedJobs: false,
  });
  const close = onCleanup(() => queue.close(2000));
  const tracker = completionTracker('bee-queue');
  queue.on('job succeeded', (jobId) => tracker.completed(jobId));
  queue.on('error', (err) => console.error(`bee-queue: ${err.message}`));
  await queue.ready();
  let batch = [];
  let created = 0; // jobs created since the last clean (all succeeded by the end of a wait)
  return {
    key: 'beequeue',
    name: 'bee-queue',
    version: peers.versions['bee-queue'],
    settings: 'removeOnSuccess: false, storeJobs: true (jobs kept; bee-queue stores no return value); worker concurrency 1, other options at their defaults',

    ...peerWorkerSet('beequeue-worker.cjs', { url, queue: name, peersDir: peers.dir }),

    /** One queue.saveAll of n jobs createJob(i). */
    async createBulk(n) {
      const jobs = Array.from({ length: n }, (_, i) => queue.createJob(i));
      const errors = await queue.saveAll(jobs);
      if (errors.size > 0) throw new Error(`bee-queue: saveAll failed for ${errors.size} jobs: ${[...errors.values()][0].message}`);
      batch = jobs.map((job) => job.id);
      created += n;
    },

    /** 'job succeeded' events for every job of the last createBulk. */
    async waitAll(timeoutS) {
      await tracker.wait(batch, created, async () => (await queue.checkHealth()).succeeded, timeoutS);
    },

    /**
     * One job on an idle worker: createJob(0).save(), then its succeeded event. The queue's
     * 'job succeeded' event for its id rather than the job's own 'succeeded': bee-queue emits the
     * latter only for a job already in its map, which save() fills when its reply is read, and
     * the event can be read first (it then never comes; seen here on a busy machine).
     */
    async latencyOnce() {
      const t0 = now();
      const job = queue.createJob(0);
      await job.save();
      created += 1;
      await tracker.wait([job.id], created, async () => (await queue.checkHealth()).succeeded, 10);
      return now() - t0;
    },

    /** queue.destroy(): every key of the queue (workers stopped first). */
    async clean() {
      batch = [];
      created = 0;
      tracker.reset();
      queue.jobs.clear(); // jobs this process stored and that never finished (bulk creation runs)
      await queue.destroy();
    },

    close,
  };
}
