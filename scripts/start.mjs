// npm start: open the built extension in a real VS Code, on the embedded default Redis.
// Desktop `code --extensionDevelopmentPath` where `code` is on the PATH; otherwise
// code-server on a free loopback port, printing the URL to open.
//
//   npm start [-- --folder DIR] [-- --code-server]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { repoRoot, extensionUnderTest } from './vscode/browser.mjs';
import { PrerequisiteError, startCodeServer } from './vscode/codeServer.mjs';

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { folder: { type: 'string' }, 'code-server': { type: 'boolean' } } });
const folder = path.resolve(values.folder ?? process.cwd());
const core = require(path.join(repoRoot, 'dist', 'core.js'));

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

// Resolve Redis first, so a missing Redis is reported here in one line, and the extension
// finds the same server (a private one started now is reused by everything after).
let redis;
try {
  redis = await core.resolveRedisTarget();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
console.log(`Redis: ${redis.display} (${redis.source})`);

if (!values['code-server'] && onPath('code')) {
  console.log(`Opening VS Code with the extension from ${repoRoot}`);
  const child = spawn('code', ['--extensionDevelopmentPath', repoRoot, folder], { stdio: 'inherit' });
  child.once('exit', (code) => process.exit(code ?? 0));
} else {
  const ext = extensionUnderTest();
  const userDataDir = path.join(core.stateDir(), 'vscode');
  const extensionsDir = path.join(userDataDir, 'extensions');
  await fsp.mkdir(extensionsDir, { recursive: true });
  // The extension "installed" as a link to this checkout, so a rebuild is picked up on reload.
  const link = path.join(extensionsDir, ext.folderName);
  await fsp.rm(link, { force: true, recursive: false }).catch(() => {});
  await fsp.symlink(ext.path, link, 'dir');
  let server;
  try {
    server = await startCodeServer({ userDataDir, extensionsDir, folder });
  } catch (err) {
    console.error(err instanceof PrerequisiteError ? err.message : err);
    process.exit(err instanceof PrerequisiteError ? 2 : 1);
  }
  console.log(`\nVS Code (code-server) with rrq is running. Open:\n\n  ${server.url.replace(/\/$/, "")}/?folder=${encodeURIComponent(folder)}\n`);
  console.log(`Log: ${server.logFile}. Press Ctrl-C to stop.`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
