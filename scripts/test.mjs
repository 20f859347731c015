// The one test command (npm test): starts a private redis-server on a free loopback port,
// runs every test file against it with node's test runner, and stops it.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_HINT, redisServerAvailable, startRedisServer } from '../test/harness/redisServer.mjs';

if (!redisServerAvailable()) {
  console.error(INSTALL_HINT);
  process.exit(1);
}

const suites = ['test/unit', 'test/integration'];
const files = suites.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f)));
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;

const server = await startRedisServer();
let code = 1;
try {
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...selected], {
      stdio: 'inherit',
      env: { ...process.env, RRQ_TEST_REDIS_URL: server.url },
    });
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
} finally {
  await server.stop();
}
process.exit(code);
