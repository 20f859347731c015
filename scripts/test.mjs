// The one test command (npm test): starts a private redis-server on a free loopback port and
// runs, against it, the unit and integration tests (node's test runner), the extension-host
// suite inside a real VS Code, and the browser end-to-end tests; then stops it.
//
//   node scripts/test.mjs [filter...]   only the node test files whose path contains a filter
//   RRQ_SKIP_VSCODE=1                    leave out the two VS Code suites (reported as left out)
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_HINT, redisServerAvailable, startRedisServer } from '../test/harness/redisServer.mjs';
import { PrerequisiteError } from './vscode/codeServer.mjs';
import { runExtensionTests } from './vscode/runExtensionTests.mjs';

if (!redisServerAvailable()) {
  console.error(INSTALL_HINT);
  process.exit(1);
}

const suites = ['test/unit', 'test/integration', 'test/faults'];
const files = suites.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f)));
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
const withVscode = filter.length === 0 && process.env.RRQ_SKIP_VSCODE !== '1';

function nodeTest(testFiles, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...testFiles], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
}

const server = await startRedisServer();
const env = { RRQ_TEST_REDIS_URL: server.url };
const results = [];
try {
  results.push(['unit and integration', await nodeTest(selected, env)]);
  if (withVscode) {
    Object.assign(process.env, env);
    let hostCode;
    try {
      hostCode = await runExtensionTests();
    } catch (err) {
      console.error(err instanceof PrerequisiteError ? err.message : err);
      hostCode = 1;
    }
    results.push(['extension host (VS Code)', hostCode]);
    const e2e = readdirSync('test/vscode').filter((f) => /^e2e.*\.test\.mjs$/.test(f)).sort().map((f) => join('test/vscode', f));
    results.push(['browser end-to-end (VS Code)', await nodeTest(e2e, env)]);
  }
} finally {
  await server.stop();
}
console.log('\nSuites:');
for (const [name, code] of results) console.log(`  ${code === 0 ? 'ok  ' : 'FAIL'} ${name}`);
if (!withVscode) console.log('  (VS Code suites left out: a filter was given or RRQ_SKIP_VSCODE=1)');
process.exit(results.every(([, code]) => code === 0) ? 0 : 1);
