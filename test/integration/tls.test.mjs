// rediss:// end to end: a TLS-only redis-server with a certificate from a throw-away CA; the
// controller and the worker it spawns both connect over TLS (the CA given to Node the standard
// way, NODE_EXTRA_CA_CERTS, which spawned workers inherit).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRedisServer } from '../harness/redisServer.mjs';

function makeCertificates(dir) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rrq test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
}

test('rediss:// works for the controller and the workers it spawns', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rrq-tls-'));
  makeCertificates(dir);
  const server = await startRedisServer(['--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'),
    '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'no'], { tls: true });
  try {
    const script = `
      const { Controller } = require(${JSON.stringify(join(process.cwd(), 'dist', 'core.js'))});
      (async () => {
        const ctl = await Controller.connect({ redis: 'rediss://localhost:${server.port}' });
        const w = await ctl.workerSpawn(1);
        const answer = await ctl.messageSendAndWait('PING');
        const info = await ctl.workerInfo();
        await w.stop({ timeout: 10 });
        await ctl.destroy();
        await ctl.close();
        console.log(JSON.stringify({ answer, port: Object.values(info)[0].redisPort }));
      })().catch((err) => { console.error(err.message); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, err);
    const result = JSON.parse(out);
    assert.deepEqual(Object.values(result.answer), ['PONG']);
    assert.equal(result.port, server.port);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
