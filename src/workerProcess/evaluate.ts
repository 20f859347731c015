// Where code runs on a worker. EVAL messages run in the worker's global scope (like rrq's
// global environment); tasks run in the task environment, a scope built from the configured
// environment module and rebuilt by REFRESH. Both see the completion value of the last
// statement, and a returned Promise is awaited by the caller.
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
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

export class TaskEnvironment {
  private scope: Record<string, unknown> = Object.create(null);
  /** When the environment was last built (seconds since the epoch). */
  builtAt = 0;

  constructor(private readonly modulePath: string | null) {}

  /** (Re)build the scope: `require` from the wd, plus whatever the environment module provides. */
  async build(): Promise<void> {
    const scope: Record<string, unknown> = Object.create(null);
    scope.require = requireFromWd();
    if (this.modulePath) {
      const file = isAbsolute(this.modulePath) ? this.modulePath : resolve(this.modulePath);
      const loaded = await loadFresh(file);
      const provide = typeof loaded === 'function' ? loaded : (loaded as { default?: unknown } | null)?.default;
      const value = typeof provide === 'function' ? await (provide as (s: object) => unknown)(scope) : loaded;
      if (value && typeof value === 'object') Object.assign(scope, value);
    }
    this.scope = scope;
    this.builtAt = Date.now() / 1000;
  }

  /** Evaluate an expression/statements in the task scope. */
  evaluate(source: string): unknown {
    return runInScope(this.scope, source);
  }

  /** Evaluate a function's source in the task scope and call it. */
  call(functionSource: string, args: unknown[]): unknown {
    const fn = runInScope(this.scope, `(${functionSource}\n)`);
    if (typeof fn !== 'function') throw new TypeError(`Task source is not a function: ${functionSource.slice(0, 80)}`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }
}

async function loadFresh(file: string): Promise<unknown> {
  if (/\.mjs$/.test(file)) {
    return import(`${pathToFileURL(file).href}?v=${Date.now()}`);
  }
  const req = createRequire(file);
  const resolved = req.resolve(file);
  delete req.cache[resolved];
  return req(resolved);
}
