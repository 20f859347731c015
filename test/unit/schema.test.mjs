import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMessageId, normaliseQueues, parseRedisUrl, queueKeys, redactUrl, resolveWorkerConfig } from '../../dist/core.js';

test('every key of a queue id carries the same cluster hash tag', () => {
  const k = queueKeys('rrq:b96fa67a');
  const all = [k.events, k.messageLastId, k.workerIds, k.workerStatus, k.workerTask, k.workerInfo, k.workerConfig,
    k.workerMessage('w_1'), k.workerResponse('w_1'), k.workerLog('w_1'), ...k.workerKeys('w_1'), k.queue('default'), k.task('abc')];
  for (const key of all) assert.ok(key.startsWith('{rrq:b96fa67a}:'), key);
  assert.equal(new Set(all).size, all.length - 3, 'distinct keys (workerKeys repeats the three above)');
  for (const key of [k.workerMessage('w_1'), k.workerResponse('w_1'), k.workerLog('w_1'), k.workerHeartbeat('w_1')]) {
    assert.ok(k.workerKeys('w_1').includes(key), `${key} is deleted with its worker`);
  }
  assert.equal(new Set(k.workerKeys('w_1')).size, k.workerKeys('w_1').length);
  assert.equal(k.queue('default'), '{rrq:b96fa67a}:queue:default');
  assert.equal(k.workerMessage('w_1'), '{rrq:b96fa67a}:worker:w_1:message');
});

test('queue ids that would break the hash tag, or reach other keys through a pattern, are refused', () => {
  for (const bad of ['', 'a b', 'x{y}', 'a}b', 'rrq:*', 'rrq:?', 'a[bc]', 'a\\b', 'x'.repeat(201)]) assert.throws(() => queueKeys(bad), /Invalid queue id/);
  for (const good of ['rrq:b96fa67a', 'rrq:vscode', 'team_a.jobs-2']) assert.equal(queueKeys(good).queueId, good);
});

test('message ids are zero-padded so that they sort', () => {
  assert.equal(formatMessageId(1726673840, 38392), '1726673840.038392');
  assert.equal(formatMessageId(1726673840, 0), '1726673840.000000');
  const ids = [formatMessageId(5, 999999), formatMessageId(6, 1), formatMessageId(5, 10)];
  assert.deepEqual([...ids].sort(), [formatMessageId(5, 10), formatMessageId(5, 999999), formatMessageId(6, 1)]);
});

test('Redis URLs: user, password, db, rediss, IPv6; errors never show the password', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2 });
  const o = parseRedisUrl('rediss://alice:p%40ss@cache.example:6390/1');
  assert.equal(o.username, 'alice');
  assert.equal(o.password, 'p@ss');
  assert.equal(o.db, 1);
  assert.deepEqual(o.tls, { servername: 'cache.example' });
  assert.equal(parseRedisUrl('redis://[::1]:7000').host, '::1');
  assert.throws(() => parseRedisUrl('http://x:secret@host'), (err) => /scheme must be redis/.test(err.message) && !err.message.includes('secret'));
  assert.throws(() => parseRedisUrl('redis://u:secret@host/abc'), (err) => /database number/.test(err.message) && !err.message.includes('secret'));
  assert.equal(redactUrl('connect redis://u:secret@h:1/0 failed'), 'connect redis://u:***@h:1/0 failed');
});

test('worker config: queues in order without duplicates, default last; bad values refused', () => {
  assert.deepEqual(normaliseQueues(['b', 'default', 'a', 'b']), ['b', 'a', 'default']);
  assert.deepEqual(normaliseQueues(undefined), ['default']);
  assert.throws(() => normaliseQueues(['has space']), /Invalid queue name/);
  assert.deepEqual(resolveWorkerConfig({}), {
    queue: ['default'], pollTimeout: 60, timeoutIdle: Infinity, envir: null, logMax: 10000, heartbeatPeriod: 5, allowEval: true,
    tasks: 'any', invalidResponseTtl: 300,
  });
  assert.throws(() => resolveWorkerConfig({ heartbeatPeriod: 0 }), /heartbeatPeriod/);
  assert.throws(() => resolveWorkerConfig({ tasks: 'some' }), /tasks must be 'any' or 'environment'/);
  assert.throws(() => resolveWorkerConfig({ pollTimeout: 0 }), /pollTimeout/);
  assert.throws(() => resolveWorkerConfig({ timeoutIdle: -1 }), /timeoutIdle/);
});
