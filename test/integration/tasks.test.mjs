// rrq's task system: creating tasks (expressions, calls by value and by the name of an
// environment export, bulk), looking at them and at queues, waiting (with progress), results
// and task errors, cancel (pending, deferred, running), retry, delete, timeouts, output,
// dependencies, separate processes, removal after reading or a time, and bad inputs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { errorCode, TaskError, TimeoutError } from '../../dist/core.js';
import { newController, waitFor } from '../harness/setup.mjs';

/* global progress -- tasks call it: the task environment provides it on the worker */

const dir = mkdtempSync(join(tmpdir(), 'rrq-tasks-'));

/** A controller on a fresh queue with `n` workers. */
async function queueWithWorkers(n = 1, options = {}) {
  const ctl = await newController();
  if (options.config) await ctl.workerConfigSave('test', options.config);
  const w = await ctl.workerSpawn(n, options.config ? { config: 'test' } : {});
  return { ctl, w };
}

test('tasks from an expression, a function, a bulk expression and a bulk call', async () => {
  const { ctl } = await queueWithWorkers(2);
  const expr = await ctl.taskCreateExpr('const x = 6; x * 7');
  const call = await ctl.taskCreateCall((a, b) => a ** b, [2, 10]);
  const bulkExpr = await ctl.taskCreateBulkExpr('a + b', [{ a: 1, b: 2 }, { a: 10, b: 20 }]);
  const bulkCall = await ctl.taskCreateBulkCall((x, scale) => x * scale, [1, 2, 3], { args: [100] });
  const all = [expr, call, ...bulkExpr, ...bulkCall];
  assert.equal(new Set(all).size, 7);
  assert.equal(await ctl.taskWait(all, { timeout: 20 }), true);
  assert.deepEqual(await ctl.taskResults(all), [42, 1024, 3, 30, 100, 200, 300]);
  assert.deepEqual(await ctl.taskWait(bulkCall, { timeout: 5, results: true }), [100, 200, 300]);
  assert.deepEqual(await ctl.taskStatus(all), all.map(() => 'COMPLETE'));
  // An async function's Promise is awaited; values that JSON cannot carry arrive intact.
  const rich = await ctl.taskCreateCall(async (n) => new Map([['big', BigInt(n)], ['when', new Date(0)]]), [7]);
  const [value] = await ctl.taskWait([rich], { timeout: 10, results: true });
  assert.deepEqual(value, new Map([['big', 7n], ['when', new Date(0)]]));
  assert.deepEqual(await ctl.taskCreateBulkCall((x) => x, []), []);
});

test('the environment module of a queue id: its exports are the variables of tasks and the functions calls can name; REFRESH reloads it', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  const module = join(dir, 'envir.js');
  writeFileSync(module, 'exports.scale = 10; exports.times = (x) => x * exports.scale;\n');
  assert.deepEqual(await ctl.workerEnvirSet(module), w.ids, 'the active workers reload it (REFRESH)');
  await waitFor('the REFRESH answered', async () => (await ctl.workerLogTail({ n: 3 })).some((e) => e.command === 'ENVIR' && e.message === 'refresh'));
  const byName = await ctl.taskCreateCall('times', [4]);
  const variable = await ctl.taskCreateExpr('scale + 1');
  assert.deepEqual(await ctl.taskWait([byName, variable], { timeout: 10, results: true }), [40, 11]);
  const info = await ctl.taskInfo(byName);
  assert.equal(info.fn, 'times');
  assert.equal(info.kind, 'call');
  // Changed on disk, reloaded by REFRESH without restarting the worker.
  writeFileSync(module, 'exports.scale = 3; exports.times = (x) => x * exports.scale;\n');
  assert.deepEqual(await ctl.messageSendAndWait('REFRESH', undefined, { timeout: 10 }), { [w.ids[0]]: 'OK' });
  const again = await ctl.taskCreateCall('times', [4]);
  assert.deepEqual(await ctl.taskWait([again], { timeout: 10, results: true }), [12]);
  // A name that is not exported: a clear error naming what is.
  const unknown = await ctl.taskCreateCall('nope', [1]);
  assert.equal(await ctl.taskWait(unknown, { timeout: 10 }), false);
  const error = await ctl.taskResult(unknown);
  assert.match(error.message, /The environment has no function 'nope'.*functions: times/);
  // TypeScript, its types stripped by esbuild.
  const ts = join(dir, 'envir.ts');
  writeFileSync(ts, 'export const greet = (name: string): string => `hello ${name}`;\n');
  await ctl.workerEnvirSet(ts);
  await waitFor('the TypeScript environment', async () => {
    const id = await ctl.taskCreateCall('greet', ['rrq']);
    await ctl.taskWait(id, { timeout: 10 });
    return (await ctl.taskResult(id)) === 'hello rrq';
  }, { timeout: 15_000 });
  await ctl.workerEnvirSet(null);
});

test('looking at tasks and queues: info, times, position, overview, list, exists, queues', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  await ctl.messageSendAndWait('PAUSE');
  const ids = await ctl.taskCreateBulkExpr('n', [{ n: 1 }, { n: 2 }, { n: 3 }]);
  const other = await ctl.taskCreateExpr('"elsewhere"', { queue: 'other' });
  assert.deepEqual(await ctl.taskPosition(ids), [1, 2, 3]);
  assert.deepEqual(await ctl.taskPosition([other]), [1]);
  assert.equal(await ctl.queueLength(), 3);
  assert.equal(await ctl.queueLength('other'), 1);
  assert.deepEqual(await ctl.queueList(), ['default', 'other']);
  assert.deepEqual((await ctl.taskList()).sort(), [...ids, other].sort());
  assert.deepEqual(await ctl.taskExists([ids[0], '0123456789abcdef0123456789abcdef']), [true, false]);
  assert.equal(await ctl.taskStatus('0123456789abcdef0123456789abcdef'), 'MISSING');
  const overview = await ctl.taskOverview();
  assert.equal(overview.PENDING, 4);
  assert.equal(overview.COMPLETE, 0);
  assert.equal(Object.keys(overview).length, 10);
  const info = await ctl.taskInfo(ids[1]);
  assert.equal(info.status, 'PENDING');
  assert.equal(info.expr, 'n');
  assert.equal(info.queue, 'default');
  assert.equal(info.worker, null);
  assert.ok(info.times.submit > 0 && info.times.start === null);
  // The removed task never runs.
  assert.deepEqual(await ctl.queueRemove([ids[2], other]), [true, false], 'other is not on the default queue');
  assert.equal(await ctl.taskStatus(ids[2]), 'CANCELLED');
  assert.deepEqual(await ctl.taskPosition(ids), [1, 2, 0]);
  await ctl.messageSendAndWait('RESUME');
  assert.equal(await ctl.taskWait(ids.slice(0, 2), { timeout: 10 }), true);
  const times = (await ctl.taskTimes(ids.slice(0, 1)))[ids[0]];
  assert.ok(times.submit <= times.start && times.start <= times.complete, JSON.stringify(times));
  assert.equal((await ctl.taskInfo(ids[0])).worker, w.ids[0]);
  assert.deepEqual(await ctl.workerTaskId(), { [w.ids[0]]: null });
  assert.equal((await ctl.taskOverview()).COMPLETE, 2);
});

test('waiting: a timeout names the unfinished tasks; progress values arrive as they are reported', async () => {
  const { ctl } = await queueWithWorkers(1);
  const slow = await ctl.taskCreateExpr('new Promise((r) => setTimeout(() => r("late"), 1500))');
  await assert.rejects(ctl.taskWait(slow, { timeout: 0.2 }), (err) => err instanceof TimeoutError
    && errorCode(err) === 'TIMEOUT' && err.message.includes(slow));
  assert.equal(await ctl.taskWait(slow, { timeout: 10 }), true);
  const reporting = await ctl.taskCreateCall(async (steps) => {
    for (let i = 1; i <= steps; i++) {
      progress({ step: i, of: steps });
      await new Promise((r) => setTimeout(r, 120));
    }
    return 'done';
  }, [4]);
  const seen = [];
  assert.equal(await ctl.taskWait(reporting, { timeout: 10, onProgress: (id, value) => seen.push([id, value.step]) }), true);
  assert.ok(seen.length >= 2, JSON.stringify(seen));
  assert.ok(seen.every(([id]) => id === reporting));
  assert.deepEqual(seen.map(([, step]) => step), [...seen.map(([, step]) => step)].sort());
  assert.deepEqual(await ctl.taskProgress(reporting), { step: 4, of: 4 });
});

test('a failed task gives its error with where it failed; with error: true it is thrown; output is kept', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  const failing = await ctl.taskCreateCall(() => {
    console.log('about to fail');
    process.stdout.write('raw write\n');
    throw new RangeError('out of range');
  });
  assert.equal(await ctl.taskWait(failing, { timeout: 10 }), false);
  const error = await ctl.taskResult(failing);
  assert.ok(error instanceof RangeError);
  assert.equal(error.message, 'out of range');
  assert.equal(error.taskId, failing);
  assert.equal(error.taskStatus, 'ERROR');
  assert.equal(error.worker, w.ids[0]);
  assert.match(error.stack, /out of range/);
  await assert.rejects(ctl.taskResult(failing, { error: true }), (err) => err === undefined ? false : err.message === 'out of range');
  assert.equal(await ctl.taskLog(failing), 'about to fail\nraw write\n');
  // A result that cannot travel: ERROR, saying why.
  const unencodable = await ctl.taskCreateExpr('({ f: Symbol("x") })');
  await ctl.taskWait(unencodable, { timeout: 10 });
  assert.equal(await ctl.taskStatus(unencodable), 'ERROR');
  assert.match((await ctl.taskResult(unencodable)).message, /cannot be encoded/);
});

test('cancel: a pending task never runs, a running one is stopped and its worker goes on; dependants become IMPOSSIBLE', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  const marker = join(dir, `ran-${Date.now()}`);
  const running = await ctl.taskCreateCall(async () => {
    progress('started');
    await new Promise((r) => setTimeout(r, 60_000));
  });
  const pending = await ctl.taskCreateCall((file) => require('node:fs').writeFileSync(file, 'ran'), [marker]);
  const dependant = await ctl.taskCreateExpr('1', { dependsOn: running });
  await waitFor('the task to start', async () => (await ctl.taskProgress(running)) === 'started');
  assert.equal(await ctl.taskStatus(dependant), 'DEFERRED');
  const t0 = Date.now();
  assert.deepEqual(await ctl.taskCancel([pending, running]), [true, true]);
  assert.equal(await ctl.taskWait([running, pending, dependant], { timeout: 10 }), false);
  console.log(`    a running task stopped ${Date.now() - t0} ms after taskCancel`);
  assert.deepEqual(await ctl.taskStatus([running, pending, dependant]), ['CANCELLED', 'CANCELLED', 'IMPOSSIBLE']);
  const cancelled = await ctl.taskResult(running);
  assert.ok(cancelled instanceof TaskError);
  assert.equal(cancelled.taskStatus, 'CANCELLED');
  assert.equal((await ctl.taskResult(dependant)).taskStatus, 'IMPOSSIBLE');
  assert.deepEqual(await ctl.taskCancel([running]), [false], 'a finished task is left as it is');
  // The worker is fine and takes the next task; the pending one never ran.
  assert.deepEqual(await ctl.messageSendAndWait('PING'), { [w.ids[0]]: 'PONG' });
  const next = await ctl.taskCreateExpr('"next"');
  assert.deepEqual(await ctl.taskWait([next], { timeout: 10, results: true }), ['next']);
  assert.throws(() => readFileSync(marker), /ENOENT/);
  await assert.rejects(ctl.taskCancel(['0123456789abcdef0123456789abcdef']), (err) => errorCode(err) === 'TASK_MISSING');
});

test('a task over its timeout ends TIMEOUT and the worker goes on', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  const looping = await ctl.taskCreateExpr('while (true) {}', { timeout: 0.5 });
  assert.equal(await ctl.taskWait(looping, { timeout: 20 }), false);
  assert.equal(await ctl.taskStatus(looping), 'TIMEOUT');
  const error = await ctl.taskResult(looping);
  assert.match(error.message, /did not finish within its timeout of 0.5 s/);
  assert.deepEqual(await ctl.messageSendAndWait('EVAL', '1 + 1'), { [w.ids[0]]: 2 });
  const after = await ctl.taskCreateExpr('"after"');
  assert.deepEqual(await ctl.taskWait([after], { timeout: 10, results: true }), ['after']);
});

test('dependencies: DEFERRED until all complete, then first in the queue; a failure makes dependants IMPOSSIBLE, transitively', async () => {
  const { ctl } = await queueWithWorkers(1);
  await ctl.messageSendAndWait('PAUSE');
  const a = await ctl.taskCreateExpr('"a"');
  const b = await ctl.taskCreateExpr('"b"');
  const later = await ctl.taskCreateExpr('"later"');
  const c = await ctl.taskCreateExpr('"c"', { dependsOn: [a, b] });
  assert.equal(await ctl.taskStatus(c), 'DEFERRED');
  assert.deepEqual(await ctl.deferredList(), { [c]: { [a]: 'PENDING', [b]: 'PENDING' } });
  assert.deepEqual(await ctl.taskPosition(c), [0]);
  await ctl.messageSendAndWait('RESUME');
  assert.deepEqual(await ctl.taskWait([a, b, c, later], { timeout: 10, results: true }), ['a', 'b', 'c', 'later']);
  const times = await ctl.taskTimes([c, later]);
  assert.ok(times[c].start <= times[later].start, 'released ahead of what was already queued');
  assert.deepEqual(await ctl.deferredList(), {});
  // A chain below a failure (made while the worker is paused, so that it is all there first).
  await ctl.messageSendAndWait('PAUSE');
  const fails = await ctl.taskCreateExpr('throw new Error("root cause")');
  const child = await ctl.taskCreateExpr('1', { dependsOn: fails });
  const grandchild = await ctl.taskCreateExpr('2', { dependsOn: [child] });
  await ctl.messageSendAndWait('RESUME');
  assert.equal(await ctl.taskWait([fails, child, grandchild], { timeout: 10 }), false);
  assert.deepEqual(await ctl.taskStatus([fails, child, grandchild]), ['ERROR', 'IMPOSSIBLE', 'IMPOSSIBLE']);
  // Depending on a failed or unknown task is refused at creation, creating nothing.
  const before = (await ctl.taskList()).length;
  await assert.rejects(ctl.taskCreateExpr('3', { dependsOn: fails }), (err) => errorCode(err) === 'DEPENDENCY_FAILED'
    && err.message.includes(`'${fails}' (ERROR)`));
  await assert.rejects(ctl.taskCreateBulkExpr('x', [{ x: 1 }], { dependsOn: ['0123456789abcdef0123456789abcdef'] }),
    (err) => errorCode(err) === 'TASK_MISSING');
  assert.equal((await ctl.taskList()).length, before);
  // Depending on a complete task: ready at once.
  const ready = await ctl.taskCreateExpr('"ready"', { dependsOn: a });
  assert.deepEqual(await ctl.taskWait([ready], { timeout: 10, results: true }), ['ready']);
});

test('retry: the old task becomes MOVED, the new one runs; following resolves chains; only finished tasks', async () => {
  const { ctl } = await queueWithWorkers(1);
  const flaky = await ctl.taskCreateCall(() => {
    globalThis.attempts = (globalThis.attempts ?? 0) + 1;
    if (globalThis.attempts < 3) throw new Error(`attempt ${globalThis.attempts}`);
    return globalThis.attempts;
  });
  assert.equal(await ctl.taskWait(flaky, { timeout: 10 }), false);
  const [second] = await ctl.taskRetry(flaky);
  assert.equal(await ctl.taskStatus(flaky, { follow: false }), 'MOVED');
  assert.equal(await ctl.taskWait(flaky, { timeout: 10 }), false, 'waiting on the old id follows to the retry');
  const [third] = await ctl.taskRetry(flaky); // the old id stands for the end of its chain
  assert.equal(await ctl.taskWait(flaky, { timeout: 10 }), true);
  assert.equal(await ctl.taskResult(flaky), 3);
  assert.equal(await ctl.taskResult(third), 3);
  assert.deepEqual(await ctl.taskStatus([flaky, second, third]), ['COMPLETE', 'COMPLETE', 'COMPLETE']);
  assert.deepEqual(await ctl.taskStatus([flaky, second, third], { follow: false }), ['MOVED', 'MOVED', 'COMPLETE']);
  const info = await ctl.taskInfo(second);
  assert.equal(info.movedFrom, flaky);
  assert.equal(info.movedTo, third);
  assert.equal((await ctl.taskResult(flaky, { follow: false })).taskStatus, 'MOVED');
  await ctl.messageSendAndWait('PAUSE');
  const waiting = await ctl.taskCreateExpr('1');
  await assert.rejects(ctl.taskRetry(waiting), (err) => errorCode(err) === 'TASK_STATE' && /only finished tasks/.test(err.message));
  await assert.rejects(ctl.taskRetry([third, flaky]), /stand for the same task/);
});

test('delete: every key of a task goes; running tasks and tasks others wait for are refused', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  const printed = await ctl.taskCreateCall(() => { console.log('keep me'); return 1; });
  await ctl.taskWait(printed, { timeout: 10 });
  const taskKeys = async () => (await ctl.redis.keys(`${ctl.keys.prefix}:task:*`)).sort();
  assert.deepEqual(await taskKeys(), [ctl.keys.task(printed), ctl.keys.taskLog(printed)].sort());
  assert.equal(await ctl.taskDelete(printed), 1);
  assert.deepEqual(await taskKeys(), []);
  assert.equal(await ctl.taskStatus(printed), 'MISSING');
  assert.equal(await ctl.redis.hlen(ctl.keys.taskStatus), 0);
  const running = await ctl.taskCreateExpr('new Promise((r) => setTimeout(r, 1000))');
  await waitFor('it runs', async () => (await ctl.taskStatus(running)) === 'RUNNING');
  await ctl.messageSend('PAUSE', undefined, { workerIds: w.ids });
  await assert.rejects(ctl.taskDelete(running), (err) => errorCode(err) === 'TASK_STATE' && /running tasks cannot be/.test(err.message));
  await ctl.taskWait(running, { timeout: 10 });
  // The worker is paused now: an upstream task stays PENDING, its dependant DEFERRED.
  const upstream = await ctl.taskCreateExpr('1');
  const blocked = await ctl.taskCreateExpr('2', { dependsOn: upstream });
  await assert.rejects(ctl.taskDelete(upstream), (err) => errorCode(err) === 'TASK_STATE'
    && err.message.includes(`'${upstream}' (by ${blocked})`));
  assert.equal(await ctl.taskDelete([blocked, upstream, running]), 3);
  assert.equal(await ctl.queueLength(), 0, 'a deleted PENDING task leaves its queue');
  assert.deepEqual(await ctl.deferredList(), {});
  assert.deepEqual(await taskKeys(), []);
  assert.equal(await ctl.redis.hlen(ctl.keys.taskStatus), 0);
  assert.equal(await ctl.taskDelete(['0123456789abcdef0123456789abcdef']), 0);
});

test('removeAfter deletes a finished task after a time; removeOnRead once its result has been read', async () => {
  const { ctl } = await queueWithWorkers(1);
  const once = await ctl.taskCreateExpr('"read me once"', { removeOnRead: true });
  const brief = await ctl.taskCreateExpr('"gone soon"', { removeAfter: 0.5 });
  const kept = await ctl.taskCreateExpr('"kept"');
  assert.deepEqual(await ctl.taskWait([once, brief, kept], { timeout: 10, results: true }), ['read me once', 'gone soon', 'kept']);
  assert.deepEqual(await ctl.taskExists([once, brief, kept]), [false, true, true], 'read once: gone');
  await new Promise((r) => setTimeout(r, 600));
  // Expired tasks are deleted by the next task that finishes (or is created) on the queue id.
  const trigger = await ctl.taskCreateExpr('0');
  await ctl.taskWait(trigger, { timeout: 10 });
  assert.deepEqual(await ctl.taskExists([brief, kept]), [false, true]);
  assert.deepEqual(await ctl.redis.keys(`${ctl.keys.prefix}:task:${brief}*`), []);
  assert.equal(await ctl.redis.zcard(ctl.keys.taskExpiry), 0);
});

test('a task in a process of its own: another pid, output kept, cancel kills it', async () => {
  const { ctl, w } = await queueWithWorkers(1);
  const info = await ctl.workerInfo();
  const pidTask = await ctl.taskCreateCall(() => { console.log('from the child'); return process.pid; }, [], { separateProcess: true });
  const [pid] = await ctl.taskWait([pidTask], { timeout: 20, results: true });
  assert.equal(typeof pid, 'number');
  assert.notEqual(pid, info[w.ids[0]].pid);
  assert.equal(await ctl.taskLog(pidTask), 'from the child\n');
  assert.equal((await ctl.taskInfo(pidTask)).separateProcess, true);
  const forever = await ctl.taskCreateExpr('progress(process.pid); new Promise(() => {})', { separateProcess: true });
  const childPid = await waitFor('the child to report its pid', () => ctl.taskProgress(forever), { timeout: 20_000 });
  await ctl.taskCancel(forever);
  await waitFor('the child to be gone', () => {
    try {
      process.kill(childPid, 0);
      return false;
    } catch {
      return true;
    }
  }, { timeout: 10_000 });
  assert.equal(await ctl.taskStatus(forever), 'CANCELLED');
  assert.deepEqual(await ctl.messageSendAndWait('PING'), { [w.ids[0]]: 'PONG' });
});

test('bad inputs get clear errors and lose no other task', async () => {
  const { ctl } = await queueWithWorkers(1);
  await assert.rejects(ctl.taskCreateExpr('1 +'), (err) => err instanceof SyntaxError && /does not parse/.test(err.message));
  await assert.rejects(ctl.taskCreateCall(Math.max.bind(null), [1]), /has no source to send/);
  await assert.rejects(ctl.taskCreateCall((x) => x, [Symbol('s')]), /cannot be sent/);
  await assert.rejects(ctl.taskCreateBulkExpr('x', [1]), /is not an object of variables/);
  await assert.rejects(ctl.taskCreateExpr('1', { timeout: -1 }), /timeout must be a positive number/);
  await assert.rejects(ctl.taskCreateExpr('1', { queue: 'has space' }), /invalid queue name/);
  await assert.rejects(ctl.taskResult('0123456789abcdef0123456789abcdef'), /Task not found/);
  await assert.rejects(ctl.taskInfo('0123456789abcdef0123456789abcdef'), (err) => errorCode(err) === 'TASK_MISSING');
  await ctl.messageSendAndWait('PAUSE');
  const first = await ctl.taskCreateExpr('"first"');
  // A queue entry whose task key is of the wrong type, and one that names no task at all.
  await ctl.redis.set(ctl.keys.task('badbadbadbadbadbadbadbadbadbadba'), 'not a hash');
  await ctl.redis.rpush(ctl.keys.queue('default'), 'badbadbadbadbadbadbadbadbadbadba', 'nosuchtask');
  const last = await ctl.taskCreateExpr('"last"');
  await ctl.messageSendAndWait('RESUME');
  assert.deepEqual(await ctl.taskWait([first, last], { timeout: 10, results: true }), ['first', 'last']);
  const skipped = (await ctl.workerLogTail({ n: 20 })).filter((e) => e.command === 'TASK_SKIPPED').map((e) => e.message);
  assert.deepEqual(skipped, ['badbadbadbadbadbadbadbadbadbadba (string)', 'nosuchtask (none)']);
  assert.deepEqual(await ctl.messageSendAndWait('PING', undefined, { timeout: 10 }), Object.fromEntries((await ctl.workerList()).map((id) => [id, 'PONG'])));
});

test('a busy worker killed with SIGKILL: its task DIED, its dependants IMPOSSIBLE; with retry it runs again elsewhere', async () => {
  const { ctl, w } = await queueWithWorkers(2);
  // A third worker, paused: it takes the retried task once the others are gone.
  const spare = await ctl.workerSpawn(1);
  await ctl.messageSendAndWait('PAUSE', undefined, { workerIds: spare.ids });
  const log = join(dir, `attempts-${Date.now()}`);
  writeFileSync(log, '');
  const work = (file) => {
    require('node:fs').appendFileSync(file, `${process.pid}\n`);
    return new Promise((r) => setTimeout(() => r(process.pid), 1500));
  };
  const doomed = await ctl.taskCreateCall(work, [log]);
  const dependant = await ctl.taskCreateExpr('1', { dependsOn: doomed });
  const retried = await ctl.taskCreateCall(work, [log], { retry: 1 });
  // Running for real: each has written its line (RUNNING in Redis comes a moment before that).
  await waitFor('both tasks running', () => readFileSync(log, 'utf8').trim().split('\n').length === 2);
  const info = await ctl.workerInfo();
  const runners = await ctl.workerTaskId();
  const victim = Object.keys(runners).find((id) => runners[id] === doomed);
  const other = Object.keys(runners).find((id) => runners[id] === retried);
  process.kill(info[victim].pid, 'SIGKILL');
  await waitFor('the doomed task DIED', async () => (await ctl.taskStatus(doomed)) === 'DIED');
  assert.equal(await ctl.taskStatus(dependant), 'IMPOSSIBLE');
  assert.deepEqual(await ctl.workerStatus(victim), { [victim]: 'LOST' });
  assert.equal(await ctl.taskWait(doomed, { timeout: 1 }), false, 'taskWait reports it');
  assert.equal((await ctl.taskResult(doomed)).taskStatus, 'DIED');
  // Now the other worker dies while running the task that may be retried: it runs again, on the spare.
  process.kill(info[other].pid, 'SIGKILL');
  await waitFor('the retried task MOVED', async () => (await ctl.taskStatus(retried, { follow: false })) === 'MOVED');
  await ctl.messageSendAndWait('RESUME', undefined, { workerIds: spare.ids });
  assert.equal(await ctl.taskWait(retried, { timeout: 20 }), true, 'followed to its retry, which completed');
  const attempts = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(attempts.length, 3, 'doomed once, retried task twice');
  assert.equal(await ctl.taskResult(retried), (await ctl.workerInfo(spare.ids))[spare.ids[0]].pid);
  const { movedTo } = await ctl.taskInfo(retried);
  assert.equal((await ctl.taskInfo(movedTo)).retry, 0, 'the retry has no retries left');
  assert.equal((await ctl.taskInfo(movedTo)).movedFrom, retried);
  assert.ok(w.ids.every((id) => !w.isAlive(id)));
});

test('taskWait on 2,000 tasks reads Redis a few times, not once per event; the subscription ends once nobody waits', async () => {
  const { ctl } = await queueWithWorkers(2);
  const ids = await ctl.taskCreateBulkCall((x) => x + 1, Array.from({ length: 2000 }, (_, i) => i));
  let commands = 0;
  const send = ctl.redis.sendCommand.bind(ctl.redis);
  ctl.redis.sendCommand = (...args) => {
    commands += 1;
    return send(...args);
  };
  try {
    assert.equal(await ctl.taskWait(ids, { timeout: 60 }), true);
  } finally {
    ctl.redis.sendCommand = send;
  }
  // About 4,000 events arrived (a start and an end per task); the wait read the statuses once or twice.
  assert.ok(commands <= 5, `${commands} commands while waiting`);
  const subscribers = async () => (await ctl.redis.client('LIST')).split('\n').filter((l) => l.includes(`name=rrq:${ctl.queueId}:events`)).length;
  assert.equal(await subscribers(), 1);
  await waitFor('the subscription to end', async () => (await subscribers()) === 0, { timeout: 5000 });
  // A new wait subscribes again.
  const again = await ctl.taskCreateExpr('"again"');
  assert.deepEqual(await ctl.taskWait([again], { timeout: 10, results: true }), ['again']);
});
