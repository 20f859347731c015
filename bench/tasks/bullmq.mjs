// BullMQ for bench/tasks.mjs, installed outside the repository by bench/tasks/peers.mjs: a Queue
// and a QueueEvents in this process, worker processes from bench/tasks/peers/bullmq-worker.cjs
// (concurrency 1, no-op processor). Completed jobs are kept (removeOnComplete: false), with
// their return value. Same interface as rrq.mjs and beequeue.mjs.
import { onCleanup } from '../lib/processes.mjs';
import { now } from '../lib/timing.mjs';
import { completionTracker } from './completion.mjs';
import { peerWorkerSet } from './peerWorkers.mjs';

/** The BullMQ driver on queue `queue` of the Redis at `url`. */
export async function openBullmq({ url, queue: name, peers }) {
  const { Queue, QueueEvents } = peers.require('bullmq');
  const u = new URL(url);
  const connection = { host: u.hostname, port: Number(u.port) };
  const queue = new Queue(name, { connection, defaultJobOptions: { removeOnComplete: false, removeOnFail: false } });
  const events = new QueueEvents(name, { connection });
  const close = onCleanup(async () => {
    await events.close();
    await queue.close();
  });
  const tracker = completionTracker('BullMQ');
  events.on('completed', ({ jobId }) => tracker.completed(jobId));
  events.on('error', (err) => console.error(`BullMQ QueueEvents: ${err.message}`));
  queue.on('error', (err) => console.error(`BullMQ Queue: ${err.message}`));
  await queue.waitUntilReady();
  await events.waitUntilReady();
  let batch = [];
  let created = 0; // jobs created since the last clean (all complete by the end of a wait)
  return {
    key: 'bullmq',
    name: 'BullMQ',
    version: peers.versions.bullmq,
    settings: 'removeOnComplete: false (jobs kept with their return value); worker concurrency 1, autorun, other options at their defaults',

    ...peerWorkerSet('bullmq-worker.cjs', { url, queue: name, peersDir: peers.dir }),

    /** One queue.addBulk of n jobs { name: 'noop', data: i }. */
    async createBulk(n) {
      const jobs = await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: i })));
      batch = jobs.map((job) => job.id);
      created += n;
    },

    /** 'completed' events of QueueEvents for every job of the last createBulk. */
    async waitAll(timeoutS) {
      await tracker.wait(batch, created, () => queue.getCompletedCount(), timeoutS);
    },

    /** One job on an idle worker: queue.add, then job.waitUntilFinished(queueEvents). */
    async latencyOnce() {
      const t0 = now();
      const job = await queue.add('noop', 0);
      await job.waitUntilFinished(events, 10_000);
      const dt = now() - t0;
      created += 1;
      return dt;
    },

    /** queue.obliterate({ force: true }): every key of the queue (workers stopped first). */
    async clean() {
      batch = [];
      created = 0;
      tracker.reset();
      await queue.obliterate({ force: true });
    },

    close,
  };
}
