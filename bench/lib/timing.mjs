// Clock, waits and sampling shared by the benchmarks: timers that never keep Node alive after a
// run, the numeric options read from the environment, and interleaved measurement of series.
import { performance } from 'node:perf_hooks';
import { summarize } from './stats.mjs';

export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A positive whole number from the environment, else `fallback`. */
export function intEnv(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Race `promise` against a timer that is always cleared (so no stray timer keeps Node alive). */
export async function within(promise, ms, onTimeout) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(onTimeout), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Warm up each series, then interleave them in `rounds` blocks of n / rounds samples each, so
 * drift in the machine's state hits all alike. `series` maps a name to (i) => ms of one sample;
 * resolves to a summary per name.
 */
export async function measureInterleaved(series, { n, warmup, rounds }) {
  const samples = Object.fromEntries(Object.keys(series).map((k) => [k, []]));
  for (const [, fn] of Object.entries(series)) for (let i = 0; i < warmup; i += 1) await fn(i);
  const perRound = Math.ceil(n / rounds);
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, fn] of Object.entries(series)) {
      for (let i = 0; i < perRound && samples[name].length < n; i += 1) samples[name].push(await fn(i));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}
