// The VS Code layer's pure helpers (no `vscode` import): input validation (prompts.ts),
// message arguments (messageSpecs.ts), worker descriptions and log lines (describe.ts), and
// recognising refused credentials (core/errors.ts). Bundled here with esbuild (they are not
// entries of their own in dist/), then imported from memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';

const src = new URL('../../src/', import.meta.url).pathname;
const out = await build({
  stdin: {
    contents: ['extension/prompts', 'extension/messageSpecs', 'extension/describe'].map((m) => `export * from './${m}';`).join('\n')
      + "\nexport { isAuthError } from './core/errors';",
    resolveDir: src, loader: 'ts',
  },
  bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent',
});
const p = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);

test('worker count: a whole number from 1 to 256', () => {
  assert.equal(p.validateWorkerCount('4'), null);
  assert.equal(p.validateWorkerCount(' 256 '), null);
  assert.match(p.validateWorkerCount(''), /how many/);
  assert.match(p.validateWorkerCount('0'), /at least one/);
  assert.match(p.validateWorkerCount('257'), /At most 256/);
  assert.match(p.validateWorkerCount('2.5'), /not a whole number/);
  assert.match(p.validateWorkerCount('-1'), /not a whole number/);
  assert.match(p.validateWorkerCount('two'), /not a whole number/);
  assert.equal(p.parseWorkerCount(3), 3);
  assert.equal(p.parseWorkerCount(' 7'), 7);
  assert.throws(() => p.parseWorkerCount(1.5), /not a whole number/);
  assert.throws(() => p.parseWorkerCount(null), /must be a number/);
});

test('TIMEOUT_SET: a non-negative number, Inf/Infinity, or empty for none', () => {
  assert.equal(p.parseTimeout('600'), 600);
  assert.equal(p.parseTimeout('0'), 0);
  assert.equal(p.parseTimeout('1.5'), 1.5);
  assert.equal(p.parseTimeout(' Inf '), Infinity);
  assert.equal(p.parseTimeout('infinity'), Infinity);
  assert.equal(p.parseTimeout(''), null);
  for (const bad of ['-1', 'soon', '1e3x', 'NaN', '1,5']) {
    assert.match(p.validateTimeout(bad), /non-negative number of seconds/, bad);
    assert.throws(() => p.parseTimeout(bad), /non-negative/, bad);
  }
});

test('message arguments: typed text and values from automation', () => {
  const spec = (c) => p.commandSpec(c);
  assert.equal(p.COMMAND_SPECS.length, 10);
  assert.deepEqual(p.COMMAND_SPECS.map((s) => s.command), ['PING', 'ECHO', 'EVAL', 'INFO', 'PAUSE', 'RESUME', 'REFRESH', 'TIMEOUT_SET', 'TIMEOUT_GET', 'STOP']);
  assert.throws(() => spec('NOPE'), /Unknown message command "NOPE"/);
  assert.equal(spec('ping').command, 'PING');
  assert.equal(p.parseArgumentText(spec('EVAL'), '1 + 1'), '1 + 1');
  assert.throws(() => p.parseArgumentText(spec('EVAL'), '  '), /EVAL needs an expression/);
  assert.throws(() => p.parseArgumentText(spec('ECHO'), ''), /ECHO needs a text/);
  assert.equal(p.parseArgumentText(spec('STOP'), ''), undefined);
  assert.equal(p.parseArgumentText(spec('STOP'), 'done'), 'done');
  assert.equal(p.parseArgumentText(spec('TIMEOUT_SET'), 'Inf'), Infinity);
  assert.equal(p.normaliseArgument(spec('TIMEOUT_SET'), 30), 30);
  assert.equal(p.normaliseArgument(spec('TIMEOUT_SET'), Infinity), Infinity);
  assert.equal(p.normaliseArgument(spec('TIMEOUT_SET'), undefined), null);
  assert.throws(() => p.normaliseArgument(spec('TIMEOUT_SET'), -5), /non-negative/);
  assert.throws(() => p.normaliseArgument(spec('EVAL'), undefined), /needs an expression/);
  assert.equal(p.normaliseArgument(spec('PING'), 'ignored?'), undefined);
});

test('auth errors are recognised', () => {
  assert.ok(p.isAuthError('NOAUTH Authentication required.'));
  assert.ok(p.isAuthError('WRONGPASS invalid username-password pair or user is disabled.'));
  assert.ok(p.isAuthError('ERR invalid password'));
  assert.ok(!p.isAuthError('Cannot connect to Redis at redis://127.0.0.1:1: Connection is closed.'));
});

test('worker descriptions: status, and for BUSY the task and its elapsed time', () => {
  assert.equal(p.describeWorkerStatus({ status: 'IDLE', taskId: null, taskStarted: null }, 100), 'IDLE');
  assert.equal(p.describeWorkerStatus({ status: 'BUSY', taskId: '3f2a9c1e0b', taskStarted: 88 }, 100.4), 'BUSY 3f2a9c… 12s');
  assert.equal(p.describeWorkerStatus({ status: 'BUSY', taskId: 'abc', taskStarted: null }, 100), 'BUSY abc');
  assert.equal(p.formatElapsed(0), '0s');
  assert.equal(p.formatElapsed(184), '3m 04s');
  assert.equal(p.formatElapsed(7500), '2h 05m');
  assert.equal(p.formatElapsed(-3), '0s');
  assert.equal(p.shortId('abcdefg'), 'abcdefg');
  assert.equal(p.shortId('abcdefgh'), 'abcdef…');
});

test('log lines: worker time, command, message; levels by command', () => {
  const now = new Date(2024, 8, 18, 15, 0, 0);
  const t = new Date(2024, 8, 18, 14, 3, 7, 45).getTime() / 1000;
  assert.equal(p.formatLogLine({ time: t, command: 'QUEUE', message: 'default' }, now), '14:03:07.045 QUEUE         default');
  assert.equal(p.formatLogLine({ time: t, command: 'ALIVE', message: '' }, now), '14:03:07.045 ALIVE');
  assert.equal(p.formatLogLine({ time: t, command: 'TASK_START', message: 'x', child: 42 }, now), '14:03:07.045 TASK_START    x [child 42]');
  const yesterday = new Date(2024, 8, 17, 23, 59, 59, 999).getTime() / 1000;
  assert.equal(p.formatLogTime(yesterday, now), '2024-09-17 23:59:59.999');
  assert.equal(p.logLevelOf('ALIVE'), 'info');
  assert.equal(p.logLevelOf('STOP'), 'warn');
  assert.equal(p.logLevelOf('LOST'), 'error');
  assert.equal(p.logLevelOf('TASK_ERROR'), 'error');
  assert.notEqual(p.logKey({ time: 1, command: 'A', message: 'b' }), p.logKey({ time: 1, command: 'A', message: 'c' }));
});
