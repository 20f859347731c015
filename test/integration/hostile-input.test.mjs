// Hostile and random input, written to Redis directly as anyone who can write there could: the
// worker keeps serving, answers what can be answered, and nothing it writes stays for ever.
// Bounds on what a controller accepts (queue ids, spawn counts), and workers that refuse to run
// code sent to them (allowEval: false, tasks: 'environment').
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Controller } from '../../dist/core.js';
import { newController, testRedisUrl, waitFor } from '../harness/setup.mjs';

/** A small seeded generator (mulberry32), so that a failing run can be repeated. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const text = (max = 40) => Array.from({ length: int(max) }, () => String.fromCharCode(pick([int(128), 32 + int(95), int(0x10000)]))).join('');
  const value = (depth = 0) => {
    switch (depth > 3 ? int(4) : int(7)) {
      case 0: return text();
      case 1: return next() * 1e6 - 5e5;
      case 2: return pick([true, false, null]);
      case 3: return pick(['', '[', '{"__proto__":1}', 'NaN', '1e999', '-0', '[[[[[[[[[[]]]]]]]]]]']);
      case 4: return Array.from({ length: int(4) }, () => value(depth + 1));
      case 5: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['id', 'command', 'args', '__proto__', 'constructor', text(8)]), value(depth + 1)]));
      default: return { $: text(5) };
    }
  };
  return { next, int, pick, text, value };
}

const SEED = Number(process.env.RRQ_FUZZ_SEED ?? 20261130);

test(`random payloads on a worker's message list are all answered and the worker keeps serving (seed ${SEED})`, async () => {
  const ctl = await newController();
  await ctl.workerConfigSave('fuzz', { invalidResponseTtl: 1, heartbeatPeriod: 0.2 });
  const w = await ctl.workerSpawn(1, { config: 'fuzz' });
  const [id] = w.ids;
  const r = random(SEED);
  const inbox = ctl.keys.workerMessage(id);
  // Commands a stranger might write; STOP would end the worker, so it is not among them.
  const commands = ['PING', 'ECHO', 'INFO', 'TIMEOUT_GET', 'TIMEOUT_SET', 'PAUSE', 'RESUME', 'EVAL', 'REFRESH',
    'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'ping', '', 'STOP ', 'stop'];
  const withIds = [];
  let withoutIds = 0;
  const payloads = [];
  for (let i = 0; i < 400; i++) {
    const kind = r.int(5);
    if (kind === 0) {
      payloads.push(r.text(200));
      withoutIds += 1;
    } else if (kind === 1) {
      payloads.push(JSON.stringify(r.value()));
      withoutIds += 1; // (no valid id: an object with one is unlikely, and checked below)
    } else {
      const messageId = `1700000${String(i).padStart(3, '0')}.${String(r.int(1e6)).padStart(6, '0')}`;
      const args = r.pick([undefined, r.text(30), JSON.stringify(r.value()), '[1e999]', '"\\u0000"', JSON.stringify(['x', { $: 'error' }])]);
      const command = r.pick(commands);
      payloads.push(JSON.stringify({ id: messageId, command, ...(args === undefined ? {} : { args }) }));
      withIds.push(messageId);
    }
  }
  // One at a time would be slow: in batches, as a flood would come.
  for (let i = 0; i < payloads.length; i += 50) await ctl.redis.rpush(inbox, ...payloads.slice(i, i + 50));
  await ctl.messageSendAndWait('RESUME', undefined, { workerIds: id, timeout: 60 });
  assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { workerIds: id, timeout: 30 }), { [id]: 'PONG' });
  assert.equal(w.isAlive(id), true);
  // Every message with an id got its answer under that id.
  const answered = await ctl.messageHasResponse(withIds[0], id);
  assert.deepEqual(answered, { [id]: true });
  const ids = new Set(await ctl.messageResponseIds(id));
  assert.deepEqual(withIds.filter((m) => !ids.has(m)), [], 'answered under its own id');
  // The rest were answered under ids made up for them, and those answers go by themselves.
  assert.ok(ids.size >= withIds.length + withoutIds, `${ids.size} answers for ${payloads.length} payloads`);
  await waitFor('the answers nobody can ask for to expire', async () => (await ctl.messageResponseIds(id)).length === withIds.length, { timeout: 20_000 });
  assert.equal(await ctl.redis.exists(ctl.keys.workerExpiring(id)), 0);
});

test(`random task records on a queue all end, and the worker keeps serving (seed ${SEED})`, async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(1);
  const [id] = w.ids;
  await ctl.messageSendAndWait('PAUSE', undefined, { timeout: 10 });
  const r = random(SEED + 1);
  const tasks = [];
  for (let i = 0; i < 120; i++) {
    const taskId = `fuzz${String(i).padStart(28, '0')}`;
    const fields = {};
    for (const name of ['kind', 'source', 'fn', 'args', 'timeout', 'separate', 'queue']) {
      if (r.next() < 0.6) fields[name] = r.pick([r.text(20), JSON.stringify(r.value()), '', '1', '-1', 'call', 'expr', '1e999', 'NaN', 'default']);
    }
    // Mostly quick, harmless sources; a few random ones.
    if (fields.kind !== 'call') fields.source = r.pick(['1 + 1', 'null.x', '"str"', 'undefined', fields.source ?? '(', '[1, 2, 3]']);
    fields.queue = 'default';
    await ctl.redis.hset(ctl.keys.task(taskId), fields);
    await ctl.redis.hset(ctl.keys.taskStatus, taskId, 'PENDING');
    await ctl.redis.rpush(ctl.keys.queue('default'), taskId);
    tasks.push(taskId);
  }
  await ctl.messageSendAndWait('RESUME', undefined, { timeout: 10 });
  await ctl.taskWait(tasks, { timeout: 120 });
  const statuses = await ctl.taskStatus(tasks);
  const unfinished = tasks.filter((_, i) => !['COMPLETE', 'ERROR', 'TIMEOUT'].includes(statuses[i]));
  assert.deepEqual(unfinished, [], 'every task ended');
  assert.ok(statuses.includes('COMPLETE') && statuses.includes('ERROR'), `both outcomes seen: ${[...new Set(statuses)]}`);
  assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { timeout: 10 }), { [id]: 'PONG' });
  const ok = await ctl.taskCreateExpr('6 * 7');
  assert.deepEqual(await ctl.taskWait(ok, { timeout: 10, results: true }), [42]);
});

test('1,000 garbage messages: each answered with an error that expires, none left behind', async () => {
  const ctl = await newController();
  await ctl.workerConfigSave('short', { invalidResponseTtl: 1, heartbeatPeriod: 0.2 });
  const w = await ctl.workerSpawn(1, { config: 'short' });
  const [id] = w.ids;
  await ctl.redis.rpush(ctl.keys.workerMessage(id), ...Array.from({ length: 1000 }, (_, i) => `garbage ${i}`));
  assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { timeout: 30 }), { [id]: 'PONG' });
  // Each was answered (some answers may have expired already on a slow machine: the log tells).
  const answered = (await ctl.workerLogTail({ workerIds: id, n: Infinity })).filter((e) => e.command === 'RESPONSE' && e.message === 'INVALID');
  assert.equal(answered.length, 1000);
  assert.match(w.logs(id).join('\n'), /Malformed message \(not JSON\): garbage 999/);
  await waitFor('the garbage answers to expire', async () => (await ctl.messageResponseIds(id)).length === 0, { timeout: 20_000 });
  assert.equal(await ctl.redis.exists(ctl.keys.workerResponse(id), ctl.keys.workerExpiring(id)), 0);
});

test('queue ids are checked against their pattern, and destroy() deletes only its own keys', async () => {
  const url = await testRedisUrl();
  for (const bad of ['a*', 'q?', 'x[1]', 'has space', '{brace}', '', 'a\\b', 'x'.repeat(201)]) {
    await assert.rejects(Controller.connect({ redis: url, queueId: bad, embedded: false }), /Invalid queue id .*use 1 to 200 letters, digits and _ \. : -/, bad);
  }
  const a = await newController({ queueId: `scope_${process.pid}` });
  const b = await newController({ queueId: `scope_${process.pid}_more` });
  const c = await newController({ queueId: `scope_${process.pid}:x` });
  for (const ctl of [a, b, c]) await ctl.taskCreateExpr('1');
  await a.destroy();
  assert.equal(await a.redis.exists(a.keys.taskStatus), 0);
  assert.equal(await b.redis.exists(b.keys.taskStatus), 1);
  assert.equal(await c.redis.exists(c.keys.taskStatus), 1);
});

test('workerSpawn refuses more than 256 workers at once, saying so', async () => {
  const ctl = await newController();
  for (const n of [257, 1_000_000]) {
    await assert.rejects(ctl.workerSpawn(n), { message: `workerSpawn: at most 256 workers at once (asked for ${n}); call it again for more` });
  }
  await assert.rejects(ctl.workerSpawn(0), /n must be a positive integer/);
  assert.deepEqual(await ctl.workerList(), []);
});

test('a worker with allowEval: false answers EVAL with an error; one with tasks: environment runs only functions of its environment', async () => {
  const ctl = await newController();
  const dir = mkdtempSync(join(tmpdir(), 'rrq-envir-'));
  const envir = join(dir, 'envir.js');
  writeFileSync(envir, 'exports.double = (x) => 2 * x;\n');
  await ctl.workerEnvirSet(envir);
  await ctl.workerConfigSave('locked', { allowEval: false, tasks: 'environment' });
  const w = await ctl.workerSpawn(1, { config: 'locked' });
  const [id] = w.ids;
  const answer = (await ctl.messageSendAndWait('EVAL', 'process.pid', { timeout: 10 }))[id];
  assert.ok(answer instanceof Error);
  assert.equal(answer.message, 'EVAL is disabled on this worker (its worker config has allowEval: false)');
  const named = await ctl.taskCreateCall('double', [21]);
  const expr = await ctl.taskCreateExpr('process.pid');
  const fn = await ctl.taskCreateCall((x) => x, [1]);
  assert.equal(await ctl.taskWait([named, expr, fn], { timeout: 10 }), false);
  assert.deepEqual(await ctl.taskStatus([named, expr, fn]), ['COMPLETE', 'ERROR', 'ERROR']);
  assert.equal(await ctl.taskResult(named), 42);
  for (const refused of [expr, fn]) {
    assert.match((await ctl.taskResult(refused)).message, /runs only tasks that call a function of its environment module by name/);
  }
  assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { timeout: 10 }), { [id]: 'PONG' });
});
