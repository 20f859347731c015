// How many workers to spawn, as typed by the user or given by automation. Pure (no `vscode`),
// like messageSpecs.ts and describe.ts, so it is tested with node:test.

import { MAX_SPAWN } from '../core/protocol';

export { MAX_SPAWN };

/** Validation message for a worker count typed by the user, or null when it is fine. */
export function validateWorkerCount(text: string): string | null {
  const t = text.trim();
  if (t === '') return `Enter how many workers to start (1 to ${MAX_SPAWN}).`;
  if (!/^\d+$/.test(t)) return `"${t}" is not a whole number: enter how many workers to start (1 to ${MAX_SPAWN}).`;
  const n = Number(t);
  if (n < 1) return 'Start at least one worker.';
  if (n > MAX_SPAWN) return `At most ${MAX_SPAWN} workers at once (asked for ${n}).`;
  return null;
}

/** The worker count from user text or a number given by automation; throws with the validation message. */
export function parseWorkerCount(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const problem = typeof value === 'number' || typeof value === 'string' ? validateWorkerCount(text) : 'The worker count must be a number.';
  if (problem) throw new Error(problem);
  return Number(text.trim());
}
