// Extension-host integration suite: loaded by VS Code (code-server in a
// browser here, or desktop VS Code through @vscode/test-electron) as
// extensionTestsPath. run() resolves when every test passed and rejects
// otherwise; VS Code then exits with 0 or 1.
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');

const EXTENSION_ID = 'rrq.rrq';

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

test('extension rrq.rrq is present', () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found; non-built-in extensions: ${vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id).join(', ') || 'none'}`);
  assert.equal(ext.packageJSON.name, 'rrq');
  assert.equal(ext.packageJSON.publisher, 'rrq');
});

test('extension rrq.rrq activates', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  await ext.activate();
  assert.equal(ext.isActive, true);
});

test('command rrq.showVersion is registered', async () => {
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('rrq.showVersion'), 'rrq.showVersion missing from vscode.commands.getCommands(true)');
});

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function run() {
  const timeout = Number(process.env.RRQ_VSCODE_TEST_CASE_TIMEOUT || 30000);
  let passed = 0;
  let failed = 0;
  console.log(`rrq extension-host suite: VS Code ${vscode.version}, ${tests.length} tests`);
  for (const { name, fn } of tests) {
    const t0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(fn), timeout, name);
      passed++;
      console.log(`  ok ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      console.error(`  FAIL ${name} (${Date.now() - t0} ms)\n    ${String(err && err.stack || err).split('\n').join('\n    ')}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} of ${tests.length} extension-host tests failed`);
}

module.exports = { run, tests, test };
