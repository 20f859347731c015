// Fails when files import each other in a circle, type-only imports included (a type cycle
// still ties two modules into one). Part of npm test. Imports are read by TypeScript's own
// pre-processor, so `import type`, `export ... from`, `import()` and `require()` all count.
//
//   node scripts/checkCycles.mjs [folder...]    default: src bench scripts test
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP = new Set(['node_modules', 'dist', '.vscode-test', 'test-results']);

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names, as the bundler and tsc resolve it, or null. */
function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  return candidates.find((f) => existsSync(f) && statSync(f).isFile() && SOURCE.test(f)) ?? null;
}

function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(file, [...new Set(importedFiles.map((i) => resolveImport(file, i.fileName)).filter(Boolean))]);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan), i.e. import cycles. */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const visit = (v) => {
    const s = { index, low: index, onStack: true };
    index += 1;
    state.set(v, s);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      const t = state.get(w);
      if (!t) {
        visit(w);
        s.low = Math.min(s.low, state.get(w).low);
      } else if (t.onStack) {
        s.low = Math.min(s.low, t.index);
      }
    }
    if (s.low === s.index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return found;
}

const folders = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'bench', 'scripts', 'test'];
const files = folders.map((f) => join(root, f)).filter(existsSync).flatMap(sourceFiles);
const graph = importGraph(files);
const found = cycles(graph);
if (found.length > 0) {
  console.error(`Import cycles (${found.length}):`);
  for (const component of found) {
    const inCycle = new Set(component);
    console.error(`  ${component.map((f) => relative(root, f)).sort().join(', ')}`);
    for (const f of component) {
      const into = graph.get(f).filter((g) => inCycle.has(g)).map((g) => relative(root, g));
      console.error(`    ${relative(root, f)} -> ${into.join(', ')}`);
    }
  }
  process.exit(1);
}
console.log(`No import cycles among ${files.length} files (${folders.join(', ')}).`);
