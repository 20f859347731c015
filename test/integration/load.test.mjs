// What held when the queue was pushed hard, and must keep holding: a flood of messages, several
// controllers at once, large values both ways.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Controller } from '../../dist/core.js';
import { newController, testRedisUrl } from '../harness/setup.mjs';

test('10,000 PINGs sent at once to two workers: all 20,000 answers arrive, and none is left in Redis', { timeout: 180_000 }, async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(2);
  const ids = await Promise.all(Array.from({ length: 10_000 }, () => ctl.messageSend('PING')));
  assert.equal(new Set(ids).size, 10_000, 'ids are unique');
  let pongs = 0;
  for (const id of ids) {
    const answers = await ctl.messageGetResponse(id, { timeout: 60, delete: true });
    pongs += Object.values(answers).filter((v) => v === 'PONG').length;
  }
  assert.equal(pongs, 20_000);
  for (const id of w.ids) assert.deepEqual(await ctl.messageResponseIds(id), []);
});

test('four controllers sending at once: every message handled once, every answer to its sender', { timeout: 120_000 }, async () => {
  const first = await newController();
  const w = await first.workerSpawn(1);
  const [worker] = w.ids;
  const url = await testRedisUrl();
  const controllers = [first, ...(await Promise.all([1, 2, 3].map(() => Controller.connect({ redis: url, queueId: first.queueId, embedded: false }))))];
  try {
    const sent = await Promise.all(controllers.map((ctl, c) => Promise.all(Array.from({ length: 250 }, (_, i) =>
      ctl.messageSendAndWait('ECHO', `from-${c}-${i}`, { workerIds: worker, timeout: 60 })))));
    assert.deepEqual(sent.flat().map((a) => a[worker]), Array(1000).fill('OK'));
    const printed = readFileSync(join(w.logdir, worker), 'utf8').split('\n').filter((l) => /^from-\d-\d+$/.test(l));
    assert.equal(printed.length, 1000);
    assert.equal(new Set(printed).size, 1000, 'no message handled twice');
  } finally {
    await Promise.all(controllers.slice(1).map((c) => c.close()));
  }
});

test('50 MB values travel both ways: an EVAL answer, and a task argument and result', { timeout: 120_000 }, async () => {
  const ctl = await newController();
  const w = await ctl.workerSpawn(1);
  const size = 50 * 1024 * 1024;
  const answer = await ctl.messageSendAndWait('EVAL', `'x'.repeat(${size})`, { timeout: 60 });
  assert.equal(answer[w.ids[0]].length, size);
  const task = await ctl.taskCreateCall((text) => text.length + ':' + text.slice(0, 3), ['y'.repeat(size)]);
  assert.deepEqual(await ctl.taskWait(task, { timeout: 60, results: true }), [`${size}:yyy`]);
});
