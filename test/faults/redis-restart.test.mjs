// Redis restarted (a clean shutdown and a crash, with every acknowledged write kept) while
// workers are taking and finishing tasks: every task runs exactly once and completes, none is
// left off its queue, and a waiting controller carries on across the restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Controller } from '../../dist/core.js';
import { startRestartableRedisServer } from '../harness/redisServer.mjs';
import { waitFor } from '../harness/wait.cjs';

for (const [n, sleepMs, what] of [[300, 10, 'tasks of 10 ms (taken one at a time)'], [3000, 0, 'no-op tasks (taken many at a time)']]) {
test(`Redis restarted three times during ${n} ${what}: each runs exactly once, all complete`, { timeout: 180_000 }, async () => {
  const server = await startRestartableRedisServer();
  const ctl = await Controller.connect({ redis: server.url, embedded: false });
  let workers;
  try {
    workers = await ctl.workerSpawn(2);
    const file = join(mkdtempSync(join(tmpdir(), 'rrq-restart-')), 'runs');
    writeFileSync(file, '');
    const ids = await ctl.taskCreateBulkCall(async (i, path, ms) => {
      require('node:fs').appendFileSync(path, `${i}\n`);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      return i;
    }, Array.from({ length: n }, (_, i) => i), { args: [file, sleepMs] });
    const waiting = ctl.taskWait(ids, { timeout: 150, results: true });
    const runs = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    for (const [k, signal] of [[1, 'SIGTERM'], [2, 'SIGKILL'], [3, 'SIGTERM']].map(([k, s]) => [k, s])) {
      await waitFor(`run ${k} of ${n} tasks to be under way`, () => runs() >= (k * n) / 4, { timeout: 60_000 });
      const t0 = Date.now();
      await server.restart(signal);
      console.log(`    restart ${k} (${signal}) after ${runs()} runs, Redis back in ${Date.now() - t0} ms`);
    }
    const results = await waiting.catch(async (err) => {
      // Say where the unfinished tasks are, to find out why.
      const pending = ids.filter(async () => true);
      const statuses = await ctl.taskStatus(pending);
      const stuck = pending.filter((_, i) => statuses[i] !== 'COMPLETE');
      const detail = await Promise.all(stuck.map(async (id) => ({ id, status: await ctl.taskStatus(id), info: await ctl.taskInfo(id) })));
      const held = await Promise.all(workers.ids.map(async (w) => [w, await ctl.redis.lrange(ctl.keys.workerInHand(w), 0, -1),
        await ctl.redis.lrange(ctl.keys.workerMessage(w), 0, -1), await ctl.redis.hget(ctl.keys.workerTask, w), await ctl.redis.hget(ctl.keys.workerStatus, w)]));
      console.log(JSON.stringify({ detail, held, queue: await ctl.redis.lrange(ctl.keys.queue('default'), 0, -1) }, null, 1));
      for (const w of workers.ids) console.log(`--- ${w}\n${workers.logs(w).filter((l) => !/TASK_(START|COMPLETE)/.test(l)).slice(-30).join('\n')}`);
      throw err;
    });
    assert.deepEqual(results, ids.map((_, i) => i), 'every task completed with its own result');
    const counts = new Map();
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
    const twice = [...counts].filter(([, c]) => c > 1).map(([i]) => i);
    assert.deepEqual(twice, [], 'no task ran twice');
    assert.equal(counts.size, n, 'every task ran');
    assert.equal(await ctl.queueLength(), 0);
    assert.deepEqual((await ctl.taskOverview()).COMPLETE, n);
    const active = await ctl.workerList();
    assert.deepEqual(active.sort(), [...workers.ids].sort(), 'both workers came back');
    const held = await Promise.all(workers.ids.map((id) => ctl.redis.llen(ctl.keys.workerInHand(id))));
    assert.deepEqual(held, [0, 0], 'nothing left in hand');
    assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { timeout: 10 }), Object.fromEntries(workers.ids.map((id) => [id, 'PONG'])));
  } finally {
    await workers?.stop({ timeout: 10 }).catch(() => workers.kill());
    await ctl.destroy().catch(() => {});
    await ctl.close();
    await server.stop();
  }
});
}

test('Redis restarted 12 times (crashes and clean shutdowns) while tasks are created, run and waited for and messages are sent: nothing lost, nothing twice, every waiter answered', { timeout: 240_000 }, async () => {
  const server = await startRestartableRedisServer();
  const ctl = await Controller.connect({ redis: server.url, embedded: false });
  const waiter = await Controller.connect({ redis: server.url, queueId: ctl.queueId, embedded: false });
  let workers;
  try {
    workers = await ctl.workerSpawn(2);
    const file = join(mkdtempSync(join(tmpdir(), 'rrq-restart-')), 'runs');
    writeFileSync(file, '');
    const runs = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const task = async (i, path) => {
      require('node:fs').appendFileSync(path, `${i}\n`);
      await new Promise((r) => setTimeout(r, 5));
      return i;
    };
    let stopping = false;
    const created = [];
    const problems = [];
    let pings = 0;
    // One controller creates tasks, one at a time, and pings the workers, all along.
    const creating = (async () => {
      for (let i = 0; !stopping; i++) {
        // A few hundred ahead of the workers at most: the test is about faults, not a backlog.
        while (!stopping && created.length - runs().length > 200) await new Promise((r) => setTimeout(r, 10));
        try {
          created.push(await ctl.taskCreateCall(task, [i, file]));
        } catch (err) {
          problems.push(`create ${i}: ${err.message}`);
        }
      }
    })();
    const pinging = (async () => {
      while (!stopping) {
        try {
          const answers = await ctl.messageSendAndWait('PING', undefined, { timeout: 60 });
          assert.deepEqual(Object.values(answers), workers.ids.map(() => 'PONG'));
          pings += 1;
        } catch (err) {
          problems.push(`ping: ${err.message}`);
        }
      }
    })();
    // Another waits for what the first has created so far, across the restarts.
    const waits = [];
    for (let k = 1; k <= 12; k++) {
      const before = runs().length;
      await waitFor(`tasks to run before restart ${k}`, () => runs().length >= before + 20, { timeout: 60_000 });
      waits.push(waiter.taskWait([...created], { timeout: 180 }).catch((err) => { problems.push(`wait: ${err.message}`); return false; }));
      await server.restart(k % 2 ? 'SIGKILL' : 'SIGTERM');
    }
    const last = runs().length;
    await waitFor('tasks to run after the last restart', () => runs().length >= last + 20, { timeout: 60_000 });
    stopping = true;
    await Promise.all([creating, pinging]);
    console.log(`    ${created.length} tasks created, ${pings} broadcast PINGs answered, across 12 restarts`);
    assert.deepEqual(problems, []);
    const results = await waiter.taskWait(created, { timeout: 120, results: true });
    assert.ok(results.every((r, i) => r === i), 'every task created completed, with its own result');
    assert.deepEqual(await Promise.all(waits), waits.map(() => true), 'every waiter was answered');
    const counts = new Map();
    for (const line of runs()) counts.set(line, (counts.get(line) ?? 0) + 1);
    assert.deepEqual([...counts].filter(([, c]) => c > 1).map(([i]) => i), [], 'no task ran twice');
    assert.equal(counts.size, created.length, 'every task ran');
    assert.equal(await ctl.queueLength(), 0);
    assert.ok(pings >= 12, `PINGs went on across the restarts (${pings})`);
    const held = await Promise.all(workers.ids.map((id) => ctl.redis.llen(ctl.keys.workerInHand(id))));
    assert.deepEqual(held, [0, 0], 'nothing left in hand');
  } finally {
    await workers?.stop({ timeout: 10 }).catch(() => workers.kill());
    await ctl.destroy().catch(() => {});
    await Promise.all([ctl.close(), waiter.close()]);
    await server.stop();
  }
});
