// A BullMQ worker process for bench/tasks.mjs: concurrency 1, a no-op processor (returns null,
// kept as the job's return value). Started by bench/tasks/peerWorkers.mjs with
//   RRQ_BENCH_PEERS_DIR (where bench/tasks/peers.mjs installed BullMQ), BENCH_REDIS_URL, BENCH_QUEUE
// and an IPC channel: it sends 'ready' once its connections are up and it is polling, and on
// 'stop' closes the worker and exits. It exits as well if the parent goes away.
'use strict';
const { createRequire } = require('node:module');
const path = require('node:path');

const peers = createRequire(path.join(process.env.RRQ_BENCH_PEERS_DIR, 'package.json'));
const { Worker } = peers('bullmq');
const url = new URL(process.env.BENCH_REDIS_URL);

const worker = new Worker(process.env.BENCH_QUEUE, async () => null, {
  connection: { host: url.hostname, port: Number(url.port) },
  concurrency: 1,
  autorun: true,
});
worker.on('error', (err) => process.stderr.write(`bullmq worker: ${err.message}\n`));

process.on('disconnect', () => process.exit(0));
process.on('message', async (msg) => {
  if (msg !== 'stop') return;
  await worker.close().catch(() => {});
  process.exit(0);
});

worker.waitUntilReady().then(() => process.send('ready'), (err) => {
  process.stderr.write(`bullmq worker failed to start: ${err.message}\n`);
  process.exit(1);
});
