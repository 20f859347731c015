// The smallest Node program that "reaches Redis" (used by bench/messages.mjs as the baseline
// for worker spawn times): load ioredis, connect, PING, announce itself on a channel, exit.
'use strict';
const Redis = require('ioredis');

const [url, channel, id] = process.argv.slice(2);
const redis = new Redis(url, { maxRetriesPerRequest: 0, lazyConnect: true });
redis.on('error', () => {});

(async () => {
  await redis.connect();
  await redis.ping();
  await redis.publish(channel, id);
  redis.disconnect();
})().catch((err) => {
  process.stderr.write(`minimal child failed: ${err.message}\n`);
  process.exitCode = 1;
});
