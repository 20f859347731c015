// Bare-ioredis floor for a message round trip (used by bench/messages.mjs): BLPOP a request
// list, RPUSH the value to the reply list, on one connection, until it pops "STOP".
'use strict';
const Redis = require('ioredis');

const [url, requestKey, replyKey] = process.argv.slice(2);
const redis = new Redis(url, { maxRetriesPerRequest: null });
redis.on('error', () => {});

(async () => {
  for (;;) {
    const item = await redis.blpop(requestKey, 0);
    if (!item) continue;
    if (item[1] === 'STOP') break;
    await redis.rpush(replyKey, item[1]);
  }
  redis.disconnect();
  process.exit(0);
})().catch((err) => {
  process.stderr.write(`floor child failed: ${err.message}\n`);
  process.exit(1);
});
