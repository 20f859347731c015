// A private redis-server, started on demand when no Redis is configured or running locally.
// Its data and append-only file live in the user's state folder; later runs reuse it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { RedisOptions } from 'ioredis';

export const INSTALL_REDIS_HINT =
  'Install Redis (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis), '
  + 'start one on 127.0.0.1:6379, or point rrq at yours with --redis URL / RRQ_REDIS_URL.';

/** Per-user state folder: $RRQ_STATE_DIR, else the platform's convention. */
export function stateDir(): string {
  if (process.env.RRQ_STATE_DIR) return process.env.RRQ_STATE_DIR;
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'rrq');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'rrq');
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'rrq');
}

export function findOnPath(command: string): string | null {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, command + ext);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface EmbeddedRecord {
  port: number;
  pid: number;
}

export async function ensureEmbeddedRedis(
  answersPing: (options: RedisOptions) => Promise<boolean>,
): Promise<EmbeddedRecord> {
  const dir = join(stateDir(), 'redis');
  const recordFile = join(dir, 'server.json');
  if (existsSync(recordFile)) {
    try {
      const record = JSON.parse(readFileSync(recordFile, 'utf8')) as EmbeddedRecord;
      if (await answersPing({ host: '127.0.0.1', port: record.port })) return record;
    } catch {
      // A stale or unreadable record: start a new server below.
    }
  }
  const server = findOnPath('redis-server');
  if (!server) {
    throw new Error(`No Redis answers at 127.0.0.1:6379 and redis-server is not on PATH. ${INSTALL_REDIS_HINT}`);
  }
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const log = openSync(join(dir, 'redis.log'), 'a');
  const child = spawn(server, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--appendonly', 'yes', '--appendfilename', 'rrq.aof', '--dbfilename', 'rrq.rdb',
    '--daemonize', 'no',
  ], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  let exited: string | null = null;
  child.once('exit', (code, signal) => { exited = `exit code ${code ?? signal}`; });
  child.once('error', (err) => { exited = err.message; });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await answersPing({ host: '127.0.0.1', port })) {
      const record = { port, pid: child.pid! };
      writeFileSync(recordFile, JSON.stringify(record));
      return record;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!exited) child.kill();
  throw new Error(
    `Could not start a private redis-server (${exited ?? 'no answer within 10 s'}); see ${join(dir, 'redis.log')}. ${INSTALL_REDIS_HINT}`,
  );
}
