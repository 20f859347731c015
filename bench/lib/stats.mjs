// Statistics and number formatting shared by the benchmarks; pure functions, so a report can be
// rebuilt from saved samples.

/** The p-th percentile of an ascending array, as one of its samples (nearest rank). */
export function quantile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Latency summary of a series; `sorted` is kept for the percentile plot. */
export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, sorted: s, p50: quantile(s, 50), p90: quantile(s, 90), p99: quantile(s, 99), min: s[0], max: s.at(-1), mean };
}

/**
 * Summary of a handful of repeated runs (spawn times): the median (the mean of the middle two
 * for an even count, unlike `quantile`, as there are too few runs to pick one) and the minimum.
 */
export function spread(runs) {
  const s = [...runs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { runs, median, min: s[0] };
}

export const fmtPct = (v) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(0)} %`);
export const fmtMs = (ms, digits = 3) => (Number.isFinite(ms) ? ms.toFixed(digits) : 'n/a');
/** os.loadavg() as "1.00 0.80 0.50" (or with another separator). */
export const fmtLoad = (values, separator = ' ') => values.map((v) => v.toFixed(2)).join(separator);
export const ratio = (a, b) => `${(a / b).toFixed(1)}×`;
export const delta = (a, b, digits) => `${a - b >= 0 ? '+' : '−'}${Math.abs(a - b).toFixed(digits)}`;
