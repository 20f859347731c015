// Every error a user can cause: the worker answers with an error value that names the
// problem, logs it, and keeps running; the controller refuses with a clear message and loses nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { newController, waitFor } from '../harness/setup.mjs';

let ctl;
let w;
let workerId;

before(async () => {
  ctl = await newController();
  w = await ctl.workerSpawn(1);
  [workerId] = w.ids;
});

async function ask(command, args) {
  return (await ctl.messageSendAndWait(command, args, { workerIds: workerId, timeout: 10 }))[workerId];
}

async function stillAlive() {
  assert.equal(await ask('PING'), 'PONG');
  assert.equal(w.isAlive(workerId), true);
}

/** The worker's log file once it matches (it is written just after the answer goes out). */
async function logMatching(pattern) {
  const read = () => readFileSync(join(w.logdir, workerId), 'utf8');
  return waitFor(`${pattern} in the log file`, () => pattern.test(read()), { timeout: 5000, interval: 10 }).then(read, read);
}

test('an unknown command is answered with an error naming it, and logged', async () => {
  const value = await ask('FROBNICATE');
  assert.ok(value instanceof Error);
  assert.match(value.message, /Unknown command 'FROBNICATE'/);
  assert.match(await logMatching(/Unknown command 'FROBNICATE'/), /Unknown command 'FROBNICATE'/);
  await stillAlive();
});

test('commands named like Object.prototype members, written to Redis directly, are unknown commands', async () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'ping'];
  const ids = names.map((_, i) => `1700000001.00000${i}`);
  for (const [i, command] of names.entries()) {
    await ctl.redis.rpush(ctl.keys.workerMessage(workerId), JSON.stringify({ id: ids[i], command, args: '[-1]' }));
  }
  await stillAlive();
  for (const [i, command] of names.entries()) {
    const value = (await ctl.messageGetResponse(ids[i], { workerIds: workerId, delete: true }))[workerId];
    assert.ok(value instanceof Error, command);
    assert.match(value.message, new RegExp(`^Unknown command '${command}': expected one of PING, ECHO`));
  }
});

test('an EVAL that throws answers with the error, class and message kept', async () => {
  const value = await ask('EVAL', 'throw new TypeError("bad thing")');
  assert.ok(value instanceof TypeError);
  assert.equal(value.message, 'bad thing');
  assert.match(value.stack, /bad thing/);
  await stillAlive();
});

test('an EVAL that does not parse answers with a SyntaxError', async () => {
  const value = await ask('EVAL', '1 +* (');
  assert.ok(value instanceof SyntaxError, String(value));
  await stillAlive();
});

test('an EVAL of something that is not text is refused', async () => {
  const value = await ask('EVAL', 42);
  assert.ok(value instanceof TypeError);
  assert.match(value.message, /EVAL needs JavaScript source as a string/);
  await stillAlive();
});

test('EVAL awaits a Promise, and a rejected one gives its error', async () => {
  assert.equal(await ask('EVAL', 'new Promise((r) => setTimeout(() => r(5), 50))'), 5);
  const value = await ask('EVAL', 'Promise.reject(new RangeError("nope"))');
  assert.ok(value instanceof RangeError);
  assert.equal(value.message, 'nope');
  await stillAlive();
});

test('EVAL runs in the global scope, tasks in their own scope', async () => {
  assert.equal(await ask('EVAL', 'var evalGlobal = 7; evalGlobal * 2'), 14);
  assert.equal(await ask('EVAL', 'evalGlobal'), 7);
  const taskId = await ctl.taskCreateExpr('var taskLocal = 3; typeof evalGlobal + ":" + taskLocal');
  assert.equal(await ctl.taskWait(taskId, { timeout: 10 }), true);
  assert.equal(await ctl.taskResult(taskId), 'number:3');
  assert.equal(await ask('EVAL', 'typeof taskLocal'), 'undefined', 'a task var does not leak into globals');
});

test('a task that throws is ERROR, and its result is the error', async () => {
  const taskId = await ctl.taskCreateExpr('null.property');
  assert.equal(await ctl.taskWait(taskId, { timeout: 10 }), false);
  assert.equal(await ctl.taskStatus(taskId), 'ERROR');
  const result = await ctl.taskResult(taskId);
  assert.ok(result instanceof TypeError);
  await stillAlive();
});

test('TIMEOUT_SET with anything but a non-negative number is INVALID and changes nothing', async () => {
  for (const bad of ['soon', -1, NaN, { seconds: 5 }]) {
    assert.equal(await ask('TIMEOUT_SET', bad), 'INVALID', `TIMEOUT_SET ${String(bad)}`);
  }
  assert.deepEqual(await ask('TIMEOUT_GET'), { timeoutIdle: Infinity, remaining: Infinity });
  assert.equal(await ask('TIMEOUT_SET', 100), 'OK');
  assert.equal(await ask('TIMEOUT_SET', null), 'OK', 'null clears the timeout');
  assert.deepEqual(await ask('TIMEOUT_GET'), { timeoutIdle: Infinity, remaining: Infinity });
});

test('PAUSE twice and RESUME twice answer NOOP the second time', async () => {
  assert.equal(await ask('PAUSE'), 'OK');
  assert.equal(await ask('PAUSE'), 'NOOP');
  assert.equal(await ask('RESUME'), 'OK');
  assert.equal(await ask('RESUME'), 'NOOP');
});

test('REFRESH rebuilds the task environment and answers OK', async () => {
  assert.equal(await ask('REFRESH'), 'OK');
  assert.match(await logMatching(/ENVIR refresh/), /ENVIR refresh/);
});

test('a payload pushed by hand that is not JSON is answered with an error under a new id', async () => {
  const before = await ctl.messageResponseIds(workerId);
  await ctl.redis.rpush(ctl.keys.workerMessage(workerId), 'this is not a message');
  await stillAlive(); // messages are handled in order, so the bad one has been answered
  const fresh = (await ctl.messageResponseIds(workerId)).filter((id) => !before.includes(id));
  assert.equal(fresh.length, 1);
  const value = (await ctl.messageGetResponse(fresh[0], { workerIds: workerId, delete: true }))[workerId];
  assert.ok(value instanceof Error);
  assert.match(value.message, /Malformed message \(not JSON\): this is not a message/);
  assert.match(await logMatching(/MESSAGE INVALID/), /MESSAGE INVALID/);
});

test('a hand-made message without a command, or with unreadable arguments, is answered under its id', async () => {
  const key = ctl.keys.workerMessage(workerId);
  await ctl.redis.rpush(key, JSON.stringify({ id: '1700000000.000001' }));
  await ctl.redis.rpush(key, JSON.stringify({ id: '1700000000.000002', command: 'ECHO', args: '[[[' }));
  await stillAlive();
  const responses = await ctl.messageGetResponse('1700000000.000001', { workerIds: workerId, delete: true });
  assert.match(responses[workerId].message, /Malformed message 1700000000\.000001 \(missing command\)/);
  const second = await ctl.messageGetResponse('1700000000.000002', { workerIds: workerId, delete: true });
  assert.match(second[workerId].message, /Malformed arguments of message 1700000000\.000002 \(ECHO\)/);
});

test('a message to a worker that is not active is refused, and nothing is sent', async () => {
  await assert.rejects(ctl.messageSend('PING', undefined, { workerIds: [workerId, 'no_such_worker_1'] }),
    { message: "Message not sent: worker(s) not active: 'no_such_worker_1'" });
  assert.equal(await ctl.redis.llen(ctl.keys.workerMessage(workerId)), 0);
  assert.equal(await ctl.redis.exists(ctl.keys.workerMessage('no_such_worker_1')), 0);
  await assert.rejects(ctl.messageSend('PING', undefined, { workerIds: [] }), /list of workers is empty/);
  await assert.rejects(ctl.messageSend('not a command!'), /Invalid message command/);
});

test('controller arguments are checked with clear messages', async () => {
  await assert.rejects(ctl.messageGetResponse('yesterday'), /Invalid message id "yesterday"/);
  await assert.rejects(ctl.messageGetResponse('1700000000.000009', { workerIds: workerId, timeout: -1 }), /non-negative number of seconds/);
  await assert.rejects(ctl.messageGetResponse('1700000000.000009', { workerIds: workerId, timeout: 0.2 }),
    { message: `Response missing for worker: '${workerId}'` });
  await assert.rejects(ctl.taskCreateExpr(''), /expr must be JavaScript source text/);
  await assert.rejects(ctl.taskCreateBulkCall(Math.max, [1]), /native function 'max' has no source/);
  await assert.rejects(ctl.taskWait(['0123456789abcdef0123456789abcdef'], { timeout: 1 }), /Task\(s\) not found/);
  await assert.rejects(ctl.workerSpawn(0), /n must be a positive integer/);
  await assert.rejects(ctl.taskResult('0123456789abcdef0123456789abcdef'), /Task not found/);
});

test('a get that times out keeps the responses that did arrive', async () => {
  const id = await ctl.messageSend('PING', undefined, { workerIds: workerId });
  await ctl.messageGetResponse(id, { workerIds: workerId, timeout: 10 });
  // Ask for a worker that never answers as well: the error must not delete the PONG.
  await ctl.redis.sadd(ctl.keys.workerIds, 'silent_worker_1');
  try {
    await assert.rejects(ctl.messageGetResponse(id, { workerIds: [workerId, 'silent_worker_1'], delete: true, timeout: 0.3 }),
      { message: "Response missing for worker: 'silent_worker_1'" });
  } finally {
    await ctl.redis.srem(ctl.keys.workerIds, 'silent_worker_1');
  }
  assert.deepEqual(await ctl.messageHasResponse(id, { workerIds: workerId }), { [workerId]: true });
});

test('values round-trip faithfully through EVAL', async () => {
  const value = await ask('EVAL', `({
    u: undefined, nan: NaN, inf: Infinity, ninf: -Infinity, big: 2n ** 80n, date: new Date(0),
    map: new Map([[1, 'a'], ['k', new Set([1, 2])]]), buf: Buffer.from('hi'), f64: new Float64Array([1.5, NaN]),
    err: Object.assign(new RangeError('r', { cause: new Error('c') }), { code: 'E_X' }), nested: { a: [1, { b: null }] },
  })`);
  assert.ok('u' in value && value.u === undefined);
  assert.ok(Number.isNaN(value.nan));
  assert.equal(value.inf, Infinity);
  assert.equal(value.ninf, -Infinity);
  assert.equal(value.big, 2n ** 80n);
  assert.deepEqual(value.date, new Date(0));
  assert.ok(value.map instanceof Map && value.map.get('k') instanceof Set);
  assert.deepEqual([...value.map.get('k')], [1, 2]);
  assert.ok(Buffer.isBuffer(value.buf) && value.buf.toString() === 'hi');
  assert.ok(value.f64 instanceof Float64Array && value.f64[0] === 1.5 && Number.isNaN(value.f64[1]));
  assert.ok(value.err instanceof RangeError);
  assert.equal(value.err.code, 'E_X');
  assert.equal(value.err.cause.message, 'c');
  assert.deepEqual(value.nested, { a: [1, { b: null }] });
});

test('a value that cannot travel (a function, a class instance) still gives a readable answer', async () => {
  assert.equal(await ask('EVAL', 'globalThis.helper = function helper(x) { return x; }'), '[Function helper]');
  const instance = await ask('EVAL', 'class Point { constructor() { this.x = 1; this.y = 2; } }; new Point()');
  assert.deepEqual({ ...instance }, { x: 1, y: 2 });
  assert.equal(Object.prototype.toString.call(instance), '[object Point]');
});

test('STOP answers BYE; messages queued behind it are answered with an error, not left in Redis', async () => {
  // Keep the worker busy so that both messages are queued before it reads either.
  const task = await ctl.taskCreateExpr('new Promise((r) => setTimeout(r, 400))');
  await waitFor('the worker to take the task', async () => (await ctl.workerTaskId(workerId))[workerId] === task);
  const stop = await ctl.messageSend('STOP', undefined, { workerIds: workerId });
  const ping = await ctl.messageSend('PING', undefined, { workerIds: workerId });
  assert.deepEqual(await ctl.messageGetResponse(stop, { workerIds: workerId, timeout: 10 }), { [workerId]: 'BYE' });
  await w.exited();
  const value = (await ctl.messageGetResponse(ping, { workerIds: workerId, timeout: 10 }))[workerId];
  assert.ok(value instanceof Error);
  assert.match(value.message, /stopped \(OK \(BYE\)\) before handling message/);
  assert.equal(await ctl.redis.exists(ctl.keys.workerMessage(workerId)), 0);
  assert.deepEqual(await ctl.workerStatus(workerId), { [workerId]: 'EXITED' });
  const tail = await ctl.workerLogTail({ workerIds: workerId, n: 1 });
  assert.deepEqual([tail[0].command, tail[0].message], ['STOP', 'OK (BYE)']);
  await assert.rejects(ctl.messageSend('PING', undefined, { workerIds: workerId }), /not active/);
});
