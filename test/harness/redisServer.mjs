// Starts a private redis-server on a free loopback port for the tests, and stops it.
// Tests never touch a Redis they did not start.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INSTALL_HINT = 'redis-server is not installed. Install it with: sudo apt-get install -y redis-server (Debian/Ubuntu) or brew install redis (macOS).';

export function redisServerAvailable() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port, tls = false) {
  return new Promise((resolve) => {
    const socket = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => { socket.destroy(); resolve(/^(\+PONG|-NOAUTH)/.test(d.toString())); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/**
 * Start redis-server; resolves { url, port, stop() }. Extra args are passed through (e.g.
 * requirepass). With { tls: true } the port is TLS-only (give the certificate args); `port`
 * chooses the port (default: a free one).
 */
export async function startRedisServer(extraArgs = [], { tls = false, port: chosenPort } = {}) {
  if (!redisServerAvailable()) throw new Error(INSTALL_HINT);
  const port = chosenPort ?? await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rrq-test-redis-'));
  const child = spawn('redis-server', [
    ...(tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)]), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs,
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => { exited = true; });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port, tls))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A redis-server that keeps every acknowledged write (AOF, fsync on every write) and can be
 * restarted on the same port and data: `restart(signal)` ends it (SIGTERM: a clean shutdown;
 * SIGKILL: a crash) and starts it again. Resolves { url, port, restart(signal), stop() }.
 */
export async function startRestartableRedisServer() {
  if (!redisServerAvailable()) throw new Error(INSTALL_HINT);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rrq-test-redis-aof-'));
  let child = null;
  let exited = true;
  const start = async () => {
    child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir,
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
    exited = false;
    const mine = child;
    mine.once('exit', () => { if (child === mine) exited = true; });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (exited || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const end = async (signal) => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await gone;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(signal = 'SIGTERM') {
      await end(signal);
      await start();
    },
    async stop() {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
