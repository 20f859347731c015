// Pieces of the written benchmark reports: Markdown tables, a percentile (CDF) plot as SVG, and
// writing a report into a docs file that other benchmarks also write sections of.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fmtMs } from './stats.mjs';

export const verdict = (ok) => (ok ? 'yes' : '**no**');

/** A Markdown table: `header` is a list of column titles, `rows` a list of lists of cells. */
export function mdTable(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/**
 * Write `text` to `file`, keeping the sections other benchmarks wrote there (between
 * `<!-- name:start -->` and `<!-- name:end -->`, for each name in `keep`) after it.
 */
export function writeReport(file, text, keep = []) {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept = keep
    .map((name) => new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->\\n?`).exec(previous)?.[0] ?? '')
    .filter(Boolean);
  writeFileSync(file, text + kept.map((section) => `\n${section}`).join(''));
}

// Axis ticks (ms) on the log scale; those outside the plotted range are dropped.
const TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

/**
 * Percentile plot of latency series: x = milliseconds (log scale), y = percentile, linear up to
 * p50 and then on a tail-stretching scale (-log10(1 - p): p90, p99, p99.9 equally spaced), so
 * the tail shows.
 *   series:  [{ label, color, stats }] with stats from summarize() (sorted, n, p50, p99, max)
 *   markers: [{ ms, label, color, row }] dashed vertical lines (goals); row staggers the labels
 *   title:   heading, followed by "(N samples per series)"; xLabel: the x axis' caption
 */
export function svgCdf(seriesList, markers, { title, xLabel }) {
  const W = 780;
  const H = 470;
  const m = { l: 64, r: 24, t: 40, b: 120 };
  const all = seriesList.flatMap((s) => s.stats.sorted);
  const lo = Math.max(0.01, Math.min(...all, ...markers.map((g) => g.ms)) * 0.8); // markers always show
  const hi = Math.max(2, Math.max(...all) * 1.1);
  const maxN = Math.max(...seriesList.map((s) => s.stats.n));
  const yTop = Math.log10(maxN); // p = 1 - 1/n, the highest percentile a series can show
  const lx = (v) => Math.log10(Math.min(Math.max(v, lo), hi));
  const x = (v) => m.l + ((lx(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (W - m.l - m.r);
  // The lower half (p0..p50) gets a linear 30 % of the height; p50 and up the rest, log-stretched.
  const A = 0.3;
  const tail = (p) => (Math.min(-Math.log10(Math.max(1 - p, 1e-9)), yTop) - Math.log10(2)) / (yTop - Math.log10(2));
  const y = (p) => H - m.b - (p < 0.5 ? (p / 0.5) * A : A + tail(p) * (1 - A)) * (H - m.t - m.b);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${title} (${maxN} samples per series)</text>`);
  for (const t of TICKS.filter((v) => v >= lo && v <= hi)) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${m.t}" x2="${x(t).toFixed(1)}" y2="${H - m.b}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  }
  for (const p of [0, 0.25, 0.5, 0.9, 0.99, 0.999].filter((q) => -Math.log10(1 - q) <= yTop + 1e-9)) {
    out.push(`<line x1="${m.l}" y1="${y(p).toFixed(1)}" x2="${W - m.r}" y2="${y(p).toFixed(1)}" stroke="${p === 0.5 || p === 0.99 ? '#bbb' : '#e4e4e4'}"/>`);
    out.push(`<text x="${m.l - 6}" y="${(y(p) + 4).toFixed(1)}" text-anchor="end">p${+(p * 100).toFixed(1)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 36}" text-anchor="middle">${xLabel}</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">percentile</text>`);
  for (const g of markers) {
    if (g.ms < lo || g.ms > hi) continue;
    out.push(`<line x1="${x(g.ms).toFixed(1)}" y1="${m.t}" x2="${x(g.ms).toFixed(1)}" y2="${H - m.b}" stroke="${g.color}" stroke-dasharray="5 4"/>`);
    out.push(`<text x="${(x(g.ms) + 3).toFixed(1)}" y="${m.t + 12 + g.row * 13}" fill="${g.color}" font-size="11">${g.label}</text>`);
  }
  for (const s of seriesList) {
    const v = s.stats.sorted;
    const pts = v.map((ms, i) => [x(ms), y(i / v.length)]);
    pts.push([x(v.at(-1)), y(1 - 1 / v.length)]);
    // Thin the points to about one per pixel row/column.
    const kept = [pts[0]];
    for (const [i, pt] of pts.entries()) {
      const last = kept.at(-1);
      if (i === pts.length - 1 || Math.abs(pt[0] - last[0]) >= 0.5 || Math.abs(pt[1] - last[1]) >= 0.5) kept.push(pt);
    }
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${kept.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`);
  }
  seriesList.forEach((s, i) => {
    const ly = H - m.b + 62 + i * 18;
    out.push(`<line x1="${m.l}" y1="${ly - 4}" x2="${m.l + 24}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${m.l + 30}" y="${ly}">${s.label}: p50 ${fmtMs(s.stats.p50)} ms, p99 ${fmtMs(s.stats.p99)} ms, max ${fmtMs(s.stats.max)} ms</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
