// Shared pieces of the VS Code suites: where things are, loading the
// harness's npm dependencies, Debian Chromium through playwright-core, and
// the code-server workbench URL.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PrerequisiteError, chromiumPath, checkPrerequisites } from './codeServer.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where test output (screenshots, logs) goes: RRQ_TEST_RESULTS or <repo>/test-results. */
export function resultsDir() {
  return path.resolve(process.env.RRQ_TEST_RESULTS || path.join(repoRoot, 'test-results'));
}

/**
 * The extension under test: RRQ_EXTENSION_PATH, else the repo root. Checks it
 * is built (its package.json "main" exists) and returns its manifest.
 */
export function extensionUnderTest(extPath = process.env.RRQ_EXTENSION_PATH || repoRoot) {
  extPath = path.resolve(extPath);
  const manifestFile = path.join(extPath, 'package.json');
  if (!fs.existsSync(manifestFile)) {
    throw new PrerequisiteError(`VS Code test harness: no package.json in ${extPath} (RRQ_EXTENSION_PATH).`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  if (manifest.main) {
    const main = path.resolve(extPath, manifest.main);
    const candidates = [main, `${main}.js`];
    if (!candidates.some((f) => fs.existsSync(f))) {
      throw new PrerequisiteError(
        `VS Code test harness: the extension is not built: ${path.relative(process.cwd(), main) || main} is missing.\n` +
        (extPath === repoRoot ? 'Run `npm run build` first.' : `Build the extension in ${extPath} first.`));
    }
  }
  return {
    path: extPath,
    manifest,
    id: `${manifest.publisher}.${manifest.name}`,
    folderName: `${manifest.publisher}.${manifest.name}-${manifest.version}`,
  };
}

/**
 * Loads an npm package of the harness (playwright-core, @vscode/test-electron)
 * from the repo's node_modules, else from the folders in RRQ_HARNESS_DEPS
 * (path-delimited; each a folder holding node_modules, e.g. /tmp/harness-deps).
 */
export async function loadHarnessModule(name) {
  const bases = [repoRoot, ...(process.env.RRQ_HARNESS_DEPS || '').split(path.delimiter).filter(Boolean)];
  for (const base of bases) {
    try {
      const resolved = createRequire(path.join(path.resolve(base), 'package.json')).resolve(name);
      return await import(pathToFileURL(resolved).href);
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND' && e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  }
  throw new PrerequisiteError(
    `VS Code test harness: npm package ${name} not found (looked in ${bases.join(', ')}).\n` +
    'Run `npm install` in the repo (it is a devDependency), or point RRQ_HARNESS_DEPS at a folder where it is installed.');
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Everything a browser suite needs, checked before anything starts:
 * machine prerequisites (one message) and playwright-core.
 */
export async function preflight() {
  checkPrerequisites();
  await loadHarnessModule('playwright-core');
}

/**
 * Debian Chromium, headless, through playwright-core. launch() gives it a
 * fresh temporary profile (user-data-dir) that playwright deletes on close.
 */
export async function launchChromium({ headless = process.env.RRQ_HEADED !== '1' } = {}) {
  checkPrerequisites({ install: false, browser: true });
  const pw = await loadHarnessModule('playwright-core');
  const chromium = pw.chromium ?? pw.default.chromium;
  // Chromium also writes outside its profile (~/.config/chromium/Crash Reports,
  // ~/.cache/chromium-headless, ~/.cache/dconf): give it XDG dirs of its own.
  const home = await makeTempDir('rrq-chromium-');
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_CACHE_HOME: path.join(home, 'cache'),
    },
  }).catch(async (e) => {
    await fsp.rm(home, { recursive: true, force: true });
    throw e;
  });
  const removeHome = () => fs.rmSync(home, { recursive: true, force: true });
  process.on('exit', removeHome); // Ctrl-C: playwright kills the browser on exit
  browser.on('disconnected', () => { process.off('exit', removeHome); removeHome(); });
  return browser;
}

/**
 * The workbench URL of a running code-server. payload: [[key, value], ...] as
 * VS Code's browser integration tests pass it (extensionDevelopmentPath, ...).
 */
export function workbenchUrl(server, { folder, payload } = {}) {
  const u = new URL(server.url);
  if (folder) u.searchParams.set('folder', path.resolve(folder));
  if (payload) u.searchParams.set('payload', JSON.stringify(payload));
  return u.href;
}

/** vscode-remote:// URI of a path on the code-server machine (i.e. here). */
export function remoteUri(server, absPath) {
  return `vscode-remote://127.0.0.1:${server.port}${path.resolve(absPath)}`;
}

/** Resolves when the workbench's main parts are rendered. */
export async function waitForWorkbench(page, timeout = 60_000) {
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout });
}

export async function makeTempDir(prefix) {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Promise.race against a timer; rejects with `message` after `ms`. */
export function withTimeout(promise, ms, message) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(message)), ms); }),
  ]).finally(() => clearTimeout(t));
}

export function elapsed(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}
