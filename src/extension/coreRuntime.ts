// The controller library (dist/core.js, with ioredis) is loaded on first use, not at
// activation: activating the extension stays cheap, and connecting happens right after.
import type * as Core from '../core/index';

let core: typeof Core | null = null;

export function loadCore(): typeof Core {
  // Resolved at run time beside dist/extension.js (scripts/build.mjs keeps it external).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  core ??= require('./core.js') as typeof Core;
  return core;
}
