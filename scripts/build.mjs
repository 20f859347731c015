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

// The worker's task thread runs a small program of its own (the task host, without ioredis or
// the worker loop), so that it starts in a few milliseconds; it is inlined into the bundles that
// run workers as text (import 'rrq:task-host') and started with `new Worker(text, { eval: true })`.
const taskHost = await build({
  ...common, entryPoints: ['src/workerProcess/taskHostThread.ts'], write: false, sourcemap: false,
});
const inlineTaskHost = {
  name: 'inline-task-host',
  setup(b) {
    b.onResolve({ filter: /^rrq:task-host$/ }, () => ({ path: 'task-host', namespace: 'rrq' }));
    b.onLoad({ filter: /.*/, namespace: 'rrq' }, () => ({ contents: taskHost.outputFiles[0].text, loader: 'text' }));
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
  plugins: [inlineTaskHost],
  entryPoints: [e.in],
  outfile: `dist/${e.out}.js`,
  ...(e.banner ? { banner: e.banner } : {}),
  ...(e.external ? { external: [...common.external, ...e.external] } : {}),
})));
if (watch) console.log('watch mode is not supported; run npm run build again');
