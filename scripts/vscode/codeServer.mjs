// code-server (VS Code's own server + web workbench, from the npm registry) as
// an offline "real VS Code" for the extension's integration and e2e tests.
//
//   ensureCodeServer()      installs code-server once into a cache folder
//                           outside the repo and returns its entry script.
//   startCodeServer(opts)   starts it on a free 127.0.0.1 port and resolves
//                           once it prints "HTTP server listening".
//
// Plain Node ESM, no dependencies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3'; // newest whose engines.node is 20
// @vscode/ripgrep as pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json,
// and the asset its postinstall looks for in $TMPDIR/vscode-ripgrep-cache-<version>/.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

// Install scripts reviewed for code-server 4.100.3 (npm 11's allowScripts
// policy). Top level: the cache package's own package.json. The postinstall of
// code-server runs `npm install --omit=dev` in lib/vscode and in
// lib/vscode/extensions; those nested installs read a project .npmrc there.
const ALLOW_TOP = ['code-server', 'argon2'];
const ALLOW_NESTED = [
  '@parcel/watcher', '@vscode/deviceid', '@vscode/ripgrep', '@vscode/spdlog',
  '@vscode/windows-ca-certs', '@vscode/windows-process-tree',
  '@vscode/windows-registry', 'kerberos', 'native-watchdog', 'node-pty', 'esbuild',
];
const MARKER = '.rrq-install-complete';

/** A missing machine prerequisite: its message says what to install; no stack. */
export class PrerequisiteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PrerequisiteError';
    this.stack = message; // printed as is by node:test and by our CLIs
  }
}

export function cacheRoot() {
  if (process.env.RRQ_VSCODE_TEST_CACHE) return path.resolve(process.env.RRQ_VSCODE_TEST_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'rrq-vscode-test');
}

export function codeServerDir() {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

function entryOf(dir) {
  return path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

export function isCodeServerInstalled() {
  const dir = codeServerDir();
  return fs.existsSync(path.join(dir, MARKER)) && fs.existsSync(entryOf(dir));
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return null;
}

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/**
 * Checks everything the VS Code suites need on this machine and throws ONE
 * PrerequisiteError listing all that is missing, with the apt-get line.
 *   install: code-server not yet in the cache, so its native modules get built
 *   browser: the suite drives Chromium
 */
export function checkPrerequisites({ install = !isCodeServerInstalled(), browser = true } = {}) {
  const missing = []; // [what, debian package]
  const other = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    other.push(`code-server ${CODE_SERVER_VERSION} needs Node.js 20 (this is ${process.version}).`);
  }
  if (install) {
    if (!which('rg')) missing.push(['rg (ripgrep, seeded into code-server offline)', 'ripgrep']);
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) {
      missing.push(['Kerberos headers (code-server builds the kerberos module)', 'libkrb5-dev']);
    }
    if (!which('g++') || !which('make')) missing.push(['g++ and make (node-gyp)', 'build-essential']);
    if (!which('python3')) missing.push(['python3 (node-gyp)', 'python3']);
    if (!which('tar')) missing.push(['tar', 'tar']);
    if (!which('npm')) other.push('npm is not on PATH.');
  }
  if (browser && !fs.existsSync(chromiumPath())) {
    missing.push([`Chromium at ${chromiumPath()} (or set CHROMIUM_PATH)`, 'chromium']);
  }
  if (!missing.length && !other.length) return;
  const lines = ['VS Code test harness: missing prerequisites.'];
  for (const [what, pkg] of missing) lines.push(`  - ${what}: Debian package ${pkg}`);
  for (const o of other) lines.push(`  - ${o}`);
  if (missing.length) {
    const pkgs = [...new Set(missing.map(([, p]) => p))].join(' ');
    lines.push(`Install with:\n  apt-get update && apt-get install -y ${pkgs}`);
  }
  throw new PrerequisiteError(lines.join('\n'));
}

// Environment for the npm child processes: the caller's environment minus
// the npm_* variables that `npm run` exports (local prefix, lifecycle, ...),
// keeping only what a user may set on purpose (registry, CA, proxy, ...).
function npmEnv(extra) {
  const keep = /^npm_config_(registry|cafile|ca|userconfig|globalconfig|nodedir|proxy|https_proxy|http_proxy|noproxy|strict_ssl|cache|strict_allow_scripts)$/i;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keep.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd, args, { cwd, env, logFd }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', logFd, logFd] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal || `exit ${code}`})`));
    });
  });
}

function tail(file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

let installing = null;

/**
 * Installs code-server@4.100.3 once (about 1.5 min, ~300 MB) into
 * ~/.cache/rrq-vscode-test/code-server-4.100.3 (RRQ_VSCODE_TEST_CACHE or
 * XDG_CACHE_HOME move it) and returns the path of its entry script
 * (node_modules/code-server/out/node/entry.js, run it with Node 20).
 * Offline: ripgrep comes from the system `rg`; everything else from the npm
 * registry.
 */
export async function ensureCodeServer({ log = (m) => console.error(m) } = {}) {
  const dir = codeServerDir();
  if (isCodeServerInstalled()) return entryOf(dir);
  installing ??= withInstallLock(dir, log, () => (isCodeServerInstalled() ? entryOf(dir) : install(dir, log)))
    .finally(() => { installing = null; });
  return installing;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// One installer per cache folder across processes (e.g. two suites started
// at once on a fresh machine): a lock folder holding the owner's pid.
async function withInstallLock(dir, log, fn) {
  const lock = `${dir}.lock`;
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = null;
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
        owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8').trim()) || null;
      } catch { /* being created or removed */ }
      if (owner ? !pidAlive(owner) : age > 10_000) {
        fs.rmSync(lock, { recursive: true, force: true }); // stale
        continue;
      }
      if (!told) log(`[vscode-test] waiting for another process (pid ${owner ?? '?'}) installing code-server...`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

async function install(dir, log) {
  checkPrerequisites({ install: true, browser: false });
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  const staging = `${dir}.staging`;
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging, { recursive: true });
  const logFile = path.join(path.dirname(dir), `install-code-server-${CODE_SERVER_VERSION}.log`);
  const logFd = fs.openSync(logFile, 'w');
  const t0 = Date.now();
  log(`[vscode-test] installing code-server@${CODE_SERVER_VERSION} into ${dir} (once; ~1.5 min, ~300 MB; log: ${logFile})`);
  try {
    // 1. The cache package, with the reviewed install scripts approved.
    await fsp.writeFile(path.join(staging, 'package.json'), JSON.stringify({
      name: 'rrq-vscode-test-code-server',
      private: true,
      description: 'Cache of code-server for the rrq VS Code tests (made by scripts/vscode/codeServer.mjs)',
      dependencies: { 'code-server': CODE_SERVER_VERSION },
      allowScripts: Object.fromEntries(ALLOW_TOP.map((n) => [n, true])),
    }, null, 2) + '\n');

    // 2. Seed @vscode/ripgrep's download cache from the system rg, in a TMPDIR
    //    of our own (its postinstall otherwise fetches from GitHub).
    const tmp = path.join(staging, 'tmp');
    const rgCache = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
    const rgSrc = path.join(tmp, 'rg-src');
    await fsp.mkdir(rgCache, { recursive: true });
    await fsp.mkdir(rgSrc, { recursive: true });
    await fsp.copyFile(fs.realpathSync(which('rg')), path.join(rgSrc, 'rg'));
    await fsp.chmod(path.join(rgSrc, 'rg'), 0o755);
    await run('tar', ['czf', path.join(rgCache, RIPGREP_ASSET), '-C', rgSrc, 'rg'], { cwd: staging, env: process.env, logFd });

    const env = npmEnv({
      TMPDIR: tmp,
      npm_config_unsafe_perm: 'true', // code-server's postinstall.sh insists on it as root
      npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
      npm_config_foreground_scripts: 'true', // script output into the log
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      ...(fs.existsSync('/usr/include/node/node_version.h') && !process.env.npm_config_nodedir
        ? { npm_config_nodedir: '/usr' } : {}), // node-gyp offline: the system's Node headers
    });

    // 3. Fetch the packages without running any script...
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: staging, env, logFd });

    // 4. ...approve the nested installs' scripts in a project .npmrc each...
    const csDir = path.join(staging, 'node_modules', 'code-server');
    for (const sub of ['lib/vscode', 'lib/vscode/extensions']) {
      // One comma-separated line: in .npmrc (ini) a repeated key keeps only the last.
      await fsp.writeFile(path.join(csDir, sub, '.npmrc'), `allow-scripts=${ALLOW_NESTED.join(',')}\n`);
    }

    // 5. ...then run them: code-server's postinstall installs VS Code's
    //    dependencies and builds the native modules.
    await run('npm', ['rebuild', '--no-audit', '--no-fund'], { cwd: staging, env, logFd });

    // 6. Check the pieces that fail silently.
    const vs = path.join(csDir, 'lib', 'vscode');
    for (const p of [
      'node_modules.asar',
      'node_modules/@vscode/ripgrep/bin/rg',
      'node_modules/node-pty/build/Release/pty.node',
      'node_modules/@parcel/watcher/package.json',
    ]) {
      if (!fs.existsSync(path.join(vs, p))) throw new Error(`code-server install incomplete: ${path.join(vs, p)} missing`);
    }
    await fsp.rm(tmp, { recursive: true, force: true });
    await fsp.writeFile(path.join(staging, MARKER), `${new Date().toISOString()} ${Date.now() - t0}ms\n`);

    // 7. Move into place (under the install lock; an unfinished earlier try goes).
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.rename(staging, dir);
  } catch (err) {
    fs.closeSync(logFd);
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    throw new Error(`installing code-server failed: ${err.message}\n--- last lines of ${logFile} ---\n${tail(logFile)}`, { cause: err });
  }
  fs.closeSync(logFd);
  await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
  log(`[vscode-test] code-server installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return entryOf(dir);
}

export function getFreePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
};

/**
 * Starts code-server. Returns { url, port, process, logFile, stop() }.
 *   userDataDir   required; a fresh folder per run (settings are written there)
 *   folder        the workspace folder to serve
 *   extensionsDir defaults to <userDataDir>/extensions
 *   port          defaults to a free port; bound on 127.0.0.1 only
 *   logFile       defaults to <userDataDir>/code-server.log
 *   env, settings, args, timeoutMs (default 60 s to "HTTP server listening")
 */
export async function startCodeServer({
  userDataDir, folder, extensionsDir, port, logFile, env = {}, settings = {}, args = [], timeoutMs = 60_000,
} = {}) {
  if (!userDataDir) throw new Error('startCodeServer: userDataDir is required');
  checkPrerequisites({ browser: false });
  const entry = await ensureCodeServer();
  userDataDir = path.resolve(userDataDir);
  extensionsDir = path.resolve(extensionsDir ?? path.join(userDataDir, 'extensions'));
  logFile = path.resolve(logFile ?? path.join(userDataDir, 'code-server.log'));
  port ??= await getFreePort();
  for (const d of [userDataDir, extensionsDir, path.join(userDataDir, 'User'), path.dirname(logFile)]) {
    await fsp.mkdir(d, { recursive: true });
  }
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    await fsp.writeFile(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  }
  // Its own config file and XDG dirs: code-server otherwise writes
  // ~/.config/code-server/config.yaml, ~/.local/share/code-server/ and
  // ~/.cache/Microsoft/DeveloperTools/deviceid.
  const configFile = path.join(userDataDir, 'code-server.yaml');
  await fsp.writeFile(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const childEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(userDataDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(userDataDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(userDataDir, 'xdg-cache'), // @vscode/deviceid writes there
    ...env,
  };
  delete childEnv.VSCODE_IPC_HOOK_CLI; // when run from a VS Code terminal
  delete childEnv.ELECTRON_RUN_AS_NODE;
  const argv = [
    entry,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    ...args,
  ];
  if (folder) argv.push(path.resolve(folder));

  const logStream = fs.createWriteStream(logFile);
  // Own process group, so stop() also ends the extension host, pty host, ...
  const child = spawn(process.execPath, argv, {
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo = null;
  exited.then((i) => { exitInfo = i; });
  const killGroup = (sig) => {
    try { process.kill(-child.pid, sig); } catch { /* gone */ }
  };
  const onParentExit = () => killGroup('SIGKILL');
  process.on('exit', onParentExit);

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      if (!exitInfo) {
        killGroup('SIGTERM');
        const t = setTimeout(() => killGroup('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      killGroup('SIGKILL'); // stragglers left in the group
      process.off('exit', onParentExit);
      await new Promise((r) => logStream.end(r));
    })();
    return stopping;
  };

  let seen = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not print "HTTP server listening" within ${timeoutMs} ms`)), timeoutMs);
    const onData = (buf) => {
      logStream.write(buf);
      if (seen !== null) {
        seen += buf.toString();
        const m = /HTTP server listening on (http:\/\/\S+)/.exec(seen);
        if (m) {
          seen = null;
          clearTimeout(timer);
          resolve(m[1]);
        } else if (seen.length > 1e6) {
          seen = seen.slice(-1e4);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (${signal || `exit ${code}`})`));
    });
  });
  try {
    await ready;
  } catch (err) {
    await stop();
    throw new Error(`${err.message}; log ${logFile}:\n${tail(logFile)}`, { cause: err });
  }
  const url = `http://127.0.0.1:${port}/`;
  return { url, port, process: child, logFile, userDataDir, extensionsDir, stop };
}
