// Extension-host integration suite: loaded by VS Code (code-server in a
// browser here, or desktop VS Code through @vscode/test-electron) as
// extensionTestsPath. run() resolves when every test passed and rejects
// otherwise; VS Code then exits with 0 or 1.
'use strict';

const vscode = require('vscode');

const fs = require('node:fs');
const path = require('node:path');
const { tests } = require('./harness');

// Every *.test.js file beside this one registers its tests.
for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
  require(path.join(__dirname, file));
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function run() {
  // Tests point the extension at the test run's private redis-server; without one they would
  // fall back to whatever Redis answers locally, which tests must never touch.
  if (!process.env.RRQ_TEST_REDIS_URL) {
    throw new Error('RRQ_TEST_REDIS_URL is not set: run the suite through npm test or npm run test:vscode, which start a private redis-server');
  }
  const timeout = Number(process.env.RRQ_VSCODE_TEST_CASE_TIMEOUT || 30000);
  let passed = 0;
  let failed = 0;
  console.log(`rrq extension-host suite: VS Code ${vscode.version}, ${tests.length} tests`);
  for (const { name, fn, timeout: own } of tests) {
    const t0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(fn), own ?? timeout);
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

module.exports = { run };
