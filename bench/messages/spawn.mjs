// Worker spawn time (ctl.workerSpawn(1) and (8)) next to the baselines it cannot beat: a minimal
// Node child reaching Redis (bench/minimal-child.cjs), 1 and 8 in parallel, and `node -e 0`.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backgroundMeter } from '../lib/machine.mjs';
import { closeRedis, killWorkers, openRedis, ourPids, spawnWorkers, trackChild } from '../lib/processes.mjs';
import { spread } from '../lib/stats.mjs';
import { now, sleep, within } from '../lib/timing.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Time from spawn() of `node -e 0` until it exits (Node start-up cost alone). */
async function nodeBareStart() {
  const t0 = now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await trackChild(child);
  return now() - t0;
}

/**
 * Time from spawn() of n minimal children (load ioredis, connect, PING, PUBLISH) until the
 * parent, already subscribed, has heard from all of them (what workerSpawn waits for too).
 */
async function minimalChildren(url, subscriber, channel, n) {
  const want = new Set(Array.from({ length: n }, (_, i) => `c${i}`));
  let done;
  const all = new Promise((resolve) => { done = resolve; });
  const onMessage = (ch, text) => {
    if (ch === channel && want.delete(text) && want.size === 0) done();
  };
  subscriber.on('message', onMessage);
  const t0 = now();
  const exits = [];
  for (let i = 0; i < n; i += 1) {
    const child = spawn(process.execPath, [join(benchDir, 'minimal-child.cjs'), url, channel, `c${i}`], {
      stdio: ['ignore', 'ignore', 'inherit'], detached: true,
    });
    exits.push(trackChild(child));
  }
  const outcome = await within(all, 30_000, 'timeout');
  const elapsed = now() - t0;
  subscriber.off('message', onMessage);
  if (outcome === 'timeout') throw new Error(`minimal children did not reach Redis within 30 s (${want.size} missing)`);
  await Promise.all(exits);
  return elapsed;
}

/**
 * `reps` runs of each spawn series, interleaved with the baselines so they see the same machine
 * state. Resolves to { stats: { bare, c1, c8, w1, w8 } (spread of each), background } where
 * background is the CPU share other processes used meanwhile.
 */
export async function measureSpawnTimes(ctl, url, spawnOptions, reps) {
  const subscriber = await openRedis(url, 'bench:spawn-subscriber');
  const channel = `bench:spawn:${process.pid}`;
  await subscriber.subscribe(channel);
  // One untimed round of everything first: loads files into the page cache.
  await nodeBareStart();
  await minimalChildren(url, subscriber, channel, 1);
  await killWorkers(ctl, await spawnWorkers(ctl, 1, spawnOptions));
  const runs = { bare: [], c1: [], c8: [], w1: [], w8: [] };
  const meter = backgroundMeter(ourPids);
  for (let rep = 0; rep < reps; rep += 1) {
    runs.bare.push(await nodeBareStart());
    await sleep(100);
    runs.c1.push(await minimalChildren(url, subscriber, channel, 1));
    await sleep(100);
    let s = await spawnWorkers(ctl, 1, spawnOptions);
    runs.w1.push(s.elapsed);
    await killWorkers(ctl, s);
    await sleep(200);
    runs.c8.push(await minimalChildren(url, subscriber, channel, 8));
    await sleep(200);
    s = await spawnWorkers(ctl, 8, spawnOptions);
    runs.w8.push(s.elapsed);
    await killWorkers(ctl, s);
    await sleep(300);
    process.stdout.write(`  run ${rep + 1}: spawn1 ${runs.w1.at(-1).toFixed(0)} ms, spawn8 ${runs.w8.at(-1).toFixed(0)} ms, child1 ${runs.c1.at(-1).toFixed(0)} ms, child8 ${runs.c8.at(-1).toFixed(0)} ms, node -e 0 ${runs.bare.at(-1).toFixed(0)} ms\n`);
  }
  const background = meter();
  await subscriber.unsubscribe(channel);
  closeRedis(subscriber);
  return { stats: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, spread(v)])), background };
}
