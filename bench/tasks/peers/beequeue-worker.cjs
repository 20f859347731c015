// A bee-queue worker process for bench/tasks.mjs: concurrency 1, a no-op handler (resolves to
// null); finished jobs are kept (removeOnSuccess false), and it publishes job events (the
// producer counts them). Started by bench/tasks/peerWorkers.mjs with
//   RRQ_BENCH_PEERS_DIR (where bench/tasks/peers.mjs installed bee-queue), BENCH_REDIS_URL, BENCH_QUEUE
// and an IPC channel: it sends 'ready' once its connections are up and it is polling, and on
// 'stop' closes the queue and exits. It exits as well if the parent goes away.
'use strict';
const { createRequire } = require('node:module');
const path = require('node:path');

const peers = createRequire(path.join(process.env.RRQ_BENCH_PEERS_DIR, 'package.json'));
const Queue = peers('bee-queue');
const url = new URL(process.env.BENCH_REDIS_URL);

const queue = new Queue(process.env.BENCH_QUEUE, {
  redis: { host: url.hostname, port: Number(url.port) },
  isWorker: true,
  getEvents: false,
  sendEvents: true,
  removeOnSuccess: false,
  removeOnFailure: false,
  activateDelayedJobs: false,
});
queue.on('error', (err) => process.stderr.write(`bee-queue worker: ${err.message}\n`));

process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  if (msg !== 'stop') return;
  await queue.close(2000).catch(() => {});
  process.exit(0);
});

queue.ready().then(() => {
  queue.process(1, async () => null);
  process.send('ready');
}, (err) => {
  process.stderr.write(`bee-queue worker failed to start: ${err.message}\n`);
  process.exit(1);
});
