// Shared by the investigation scripts: a private redis-server and a private copy of the worker
// program, so that if the script dies early (an error, its time-out guard) everything it
// started can be found and killed on exit: the server by pid, the workers by their command line.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { startRedisServer } from '../test/harness/redisServer.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export async function startPrivateRun(prefix) {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const emergency = { pids: new Set(), marker: null };
  process.on('exit', () => {
    const pids = new Set(emergency.pids);
    if (emergency.marker) {
      for (const entry of readdirSync('/proc')) {
        try {
          if (/^\d+$/.test(entry) && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(emergency.marker)) pids.add(Number(entry));
        } catch {
          // gone
        }
      }
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  const workerScript = join(tmp, 'worker.js');
  copyFileSync(join(here, '..', 'dist', 'worker.js'), workerScript);
  emergency.marker = workerScript;
  const server = await startRedisServer();
  const probe = new Redis(server.url);
  emergency.pids.add(Number(/process_id:(\d+)/.exec(await probe.info('server'))[1]));
  probe.disconnect();
  return { tmp, workerScript, server, emergency };
}
