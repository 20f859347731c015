// Bundles the extension, the worker program, the CLI and the core library with esbuild.
// Every entry is self-contained CommonJS for Node 20, so a worker can be copied to another
// machine as one file, and the extension needs no node_modules at run time.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const { version } = JSON.parse(await readFile('package.json', 'utf8'));

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  // vscode is the host's; esbuild (TypeScript stripping for inline EVAL) ships as a dependency with its native binary.
  external: ['vscode', 'esbuild'],
  minify: true,
  legalComments: 'none',
  define: { __RRQ_VERSION__: JSON.stringify(version) },
  // The Lua scripts (src/core/lua) are inlined as text, so every bundle stays one file.
  loader: { '.lua': 'text' },
};

await rm('dist', { recursive: true, force: true });

// The worker's threads run small programs of their own (the task host, without ioredis or the
// worker loop, so that it starts in a few milliseconds; the heartbeat), inlined into the bundles
// that run workers as text (import 'rrq:task-host', 'rrq:heartbeat') and started with
// `new Worker(text, { eval: true })`: the worker stays one file.
const threadPrograms = Object.fromEntries(await Promise.all([
  ['task-host', 'src/workerProcess/taskHostThread.ts'],
  ['heartbeat', 'src/workerProcess/heartbeatThread.ts'],
].map(async ([name, entry]) => {
  const out = await build({ ...common, entryPoints: [entry], write: false, sourcemap: false });
  return [name, out.outputFiles[0].text];
})));
const inlineThreads = {
  name: 'inline-threads',
  setup(b) {
    b.onResolve({ filter: /^rrq:(task-host|heartbeat)$/ }, (args) => ({ path: args.path.slice(4), namespace: 'rrq-thread' }));
    b.onLoad({ filter: /.*/, namespace: 'rrq-thread' }, (args) => ({ contents: threadPrograms[args.path], loader: 'text' }));
  },
};

const entries = [
  // The first statement of the bundle notes the time, so activation can report what loading
  // and activating the extension cost (docs/benchmarks.md).
  // The extension loads dist/core.js when it first connects (src/extension/coreRuntime.ts).
  { in: 'src/extension/extension.ts', out: 'extension', banner: { js: '"use strict";var __rrqLoadStart = performance.now();' }, external: ['./core.js'] },
  { in: 'src/workerProcess/entry.ts', out: 'worker' },
  { in: 'src/cli/entry.ts', out: 'cli', banner: { js: '#!/usr/bin/env node' } },
  { in: 'src/core/index.ts', out: 'core' },
];
await Promise.all(entries.map((e) => build({
  ...common,
  plugins: [inlineThreads],
  entryPoints: [e.in],
  outfile: `dist/${e.out}.js`,
  ...(e.banner ? { banner: e.banner } : {}),
  ...(e.external ? { external: [...common.external, ...e.external] } : {}),
})));
if (watch) console.log('watch mode is not supported; run npm run build again');
