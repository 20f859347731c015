// The bare-ioredis floor of a message round trip (bench/floor-child.cjs in child processes):
// the fastest a request and its reply can go through Redis between Node processes, against
// which rrq's PING is compared (bench/messages.mjs, bench/cpu-ping.mjs).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeRedis, openRedis, trackChild } from '../lib/processes.mjs';
import { now, within } from '../lib/timing.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `n` child processes, each BLPOPping its own request list and RPUSHing to a shared reply list.
 * The parent RPUSHes one request per child (one write) and BLPOPs n replies (pipelined) on its
 * own connection. n = 1 is the floor of a PING to one worker; n = 8 of a broadcast to 8.
 * Resolves to { once(i) => ms of one round trip, pids of the children, stop() }.
 */
export async function startFloor(url, n) {
  const base = `bench:floor:${process.pid}:${n}`;
  const replyKey = `${base}:reply`;
  const requestKeys = Array.from({ length: n }, (_, i) => `${base}:request:${i}`);
  const children = requestKeys.map((key) => spawn(process.execPath, [join(benchDir, 'floor-child.cjs'), url, key, replyKey], {
    stdio: ['ignore', 'ignore', 'inherit'],
  }));
  const exits = children.map(trackChild);
  const conn = await openRedis(url, `bench:floor:parent:${n}`);
  const once = async (i) => {
    const t0 = now();
    if (n === 1) {
      conn.rpush(requestKeys[0], String(i)); // not awaited: its reply comes before BLPOP's
      await conn.blpop(replyKey, 0);
    } else {
      const p = conn.pipeline();
      for (const key of requestKeys) p.rpush(key, String(i));
      p.exec();
      await Promise.all(requestKeys.map(() => conn.blpop(replyKey, 0)));
    }
    return now() - t0;
  };
  // One round trip through every child before timing anything proves they are listening.
  const first = await within(once(-1), 20_000, 'timeout');
  if (first === 'timeout') throw new Error(`floor children (${n}) did not answer within 20 s`);
  return {
    once,
    pids: children.map((c) => c.pid),
    async stop() {
      for (const key of requestKeys) await conn.rpush(key, 'STOP');
      await within(Promise.all(exits), 5000);
      closeRedis(conn);
    },
  };
}
