// Where code runs on a worker. EVAL messages run in the worker's global scope (like rrq's
// global environment); tasks run in the task environment, a scope built from the environment
// module (its exports; or what its exported function returns) and rebuilt by REFRESH, inside
// the task host (a thread, or a process of its own). Both see the completion value of the last
// statement, and a returned Promise is awaited by the caller.
import type * as Esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';

const requireFromWd = () => createRequire(join(process.cwd(), '__rrq_worker__.js'));

/** Evaluate source text in the worker's global scope. */
export function evaluateGlobal(source: string): unknown {
  // `require` is module-local in Node; give global code the same convenience, resolved from the wd.
  const g = globalThis as { require?: NodeJS.Require };
  g.require ??= requireFromWd();
  return runInThisContext(source, { filename: 'rrq-eval.js' });
}

// Sloppy-mode function on purpose: `with` puts the environment first on the scope chain, and a
// direct eval keeps `var` declarations local to this call instead of leaking into globals.
const runInScope = new Function('__rrq_scope__', '__rrq_source__', 'with (__rrq_scope__) { return eval(__rrq_source__); }') as (
  scope: object, source: string,
) => unknown;

/** Functions compiled from source, kept so that a bulk call compiles its function once. */
const COMPILED_MAX = 256;

export class TaskEnvironment {
  private scope: Record<string, unknown> = Object.create(null);
  private readonly compiled = new Map<string, unknown>();
  /** When the environment was last built (seconds since the epoch). */
  builtAt = 0;

  /**
   * `loader`: a file beside which optional packages are looked up (esbuild, for TypeScript
   * modules); `extras`: names every task sees besides the module's (e.g. `progress`).
   */
  constructor(private modulePath: string | null, private readonly loader: string, private readonly extras: Record<string, unknown> = {}) {}

  /** (Re)build the scope from the module (a new path replaces the old one). */
  async build(modulePath: string | null = this.modulePath): Promise<void> {
    const scope: Record<string, unknown> = Object.create(null);
    scope.require = requireFromWd();
    if (modulePath) {
      const file = isAbsolute(modulePath) ? modulePath : resolve(modulePath);
      const loaded = await loadFresh(file, this.loader);
      const provide = typeof loaded === 'function' ? loaded : (loaded as { default?: unknown } | null)?.default;
      const value = typeof provide === 'function' ? await (provide as (s: object) => unknown)(scope) : loaded;
      if (value && typeof value === 'object') Object.assign(scope, value);
    }
    Object.assign(scope, this.extras);
    this.modulePath = modulePath;
    this.scope = scope;
    this.compiled.clear();
    this.builtAt = Date.now() / 1000;
  }

  /** Evaluate an expression/statements in the task scope, with `variables` (a bulk task's row) in front. */
  evaluate(source: string, variables?: Record<string, unknown>): unknown {
    const scope = variables ? Object.assign(Object.create(this.scope) as object, variables) : this.scope;
    return runInScope(scope, source);
  }

  /** Call a function: from its source, or an export of the environment module by name (`fit`, `models.fit`). */
  call(what: { source?: string; fn?: string }, args: unknown[]): unknown {
    const fn = what.fn !== undefined ? this.exported(what.fn) : this.compile(what.source ?? '');
    return (fn as (...a: unknown[]) => unknown)(...args);
  }

  private exported(name: string): unknown {
    let value: unknown = this.scope;
    for (const part of name.split('.')) value = (value as Record<string, unknown> | null | undefined)?.[part];
    if (typeof value !== 'function') {
      const names = Object.keys(this.scope).filter((k) => typeof this.scope[k] === 'function' && k !== 'require' && !(k in this.extras));
      throw new TypeError(`The environment has no function '${name}'${this.modulePath ? ` (module ${this.modulePath}; functions: ${names.join(', ') || 'none'})` : ' (no environment module is set: workerEnvirSet)'}`);
    }
    return value;
  }

  private compile(source: string): unknown {
    let fn = this.compiled.get(source);
    if (fn === undefined) {
      fn = runInScope(this.scope, `(${source}\n)`);
      if (typeof fn !== 'function') throw new TypeError(`Task source is not a function: ${source.slice(0, 80)}`);
      if (this.compiled.size >= COMPILED_MAX) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(source, fn);
    }
    return fn;
  }
}

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

async function loadFresh(file: string, loader: string): Promise<unknown> {
  if (/\.mjs$/.test(file)) return import(`${pathToFileURL(file).href}?v=${Date.now()}`);
  if (TYPESCRIPT.test(file)) return loadTypeScript(file, loader);
  const req = createRequire(file);
  const resolved = req.resolve(file);
  delete req.cache[resolved];
  return req(resolved);
}

/** A TypeScript module, its types stripped by esbuild (installed beside the worker, as with npm install rrq). */
function loadTypeScript(file: string, loader: string): unknown {
  let esbuild: typeof Esbuild;
  try {
    esbuild = createRequire(loader)('esbuild') as typeof Esbuild;
  } catch {
    throw new Error(`The environment module ${file} is TypeScript, and esbuild (which strips its types) is not installed where the worker runs; install it (npm install esbuild) or use JavaScript`);
  }
  const { code } = esbuild.transformSync(readFileSync(file, 'utf8'), {
    loader: file.endsWith('x') ? 'tsx' : 'ts', format: 'cjs', platform: 'node', target: 'node20', sourcefile: file,
  });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  (mod as unknown as { _compile(code: string, file: string): void })._compile(code, file);
  return mod.exports;
}
