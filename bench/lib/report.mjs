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

/** The marked sections of a report, `<!-- name:start -->` to `<!-- name:end -->`, in file order. */
function markedSections(text) {
  const found = [];
  for (const m of text.matchAll(/<!-- ([\w-]+):start -->/g)) {
    const end = `<!-- ${m[1]}:end -->`;
    const at = text.indexOf(end, m.index);
    if (at < 0) continue;
    let stop = at + end.length;
    if (text[stop] === '\n') stop += 1;
    found.push({ name: m[1], text: text.slice(m.index, stop) });
  }
  return found;
}

/**
 * Write `text` to `file`, keeping after it every section other benchmarks wrote there (between
 * `<!-- name:start -->` and `<!-- name:end -->`), except those `text` carries itself. (Callers
 * used to name the sections to keep in a third argument; every marked section is kept now.)
 */
export function writeReport(file, text) {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const own = new Set(markedSections(text).map((s) => s.name));
  const kept = markedSections(previous).filter((s) => !own.has(s.name)).map((s) => s.text);
  writeFileSync(file, text + kept.map((section) => `\n${section}`).join(''));
}

/**
 * Write one marked section of a report shared with other benchmarks: `section` (which starts
 * with `<!-- name:start -->` and ends with `<!-- name:end -->`) replaces the section of that
 * name in `file`, or is added at its end; the rest of the file is left as it is.
 */
export function writeSection(file, name, section) {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const old = markedSections(previous).find((s) => s.name === name);
  const body = section.endsWith('\n') ? section : `${section}\n`;
  writeFileSync(file, old ? previous.replace(old.text, () => body) : `${previous.trimEnd()}\n\n${body}`);
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

/** A number as a short label: 123456 → "123k", 1234 → "1234", 12.3 → "12.3", 0.123 → "0.123". */
export function fmtShort(v) {
  if (!Number.isFinite(v)) return 'n/a';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e5) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** Axis ticks from 0 to at least `max`: about `count` steps of 1, 2 or 5 × 10^k. */
function niceTicks(max, count = 5) {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw);
  const ticks = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks.at(-1) < max) ticks.push(Number((ticks.at(-1) + step).toPrecision(12)));
  return ticks;
}

const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Grouped bar charts side by side, one panel per measure with a scale of its own (from 0): in
 * each panel a group of bars per case, one bar per series (the things compared), its value
 * written above it; a missing value (null) shows as "n/a".
 *   series:  [{ label, color }]
 *   panels:  [{ title, unit, groups: [{ label, values, ranges }], refs }] where values has one
 *            number (or null) per series, ranges optionally [lo, hi] per series (a whisker, e.g.
 *            min and max of the runs), refs [{ value, label, color }] dashed horizontal lines
 *            (goals, floors)
 *   title:   heading; columns: panels per row; note: a line of small print under the legend
 */
export function svgBars(seriesList, panels, { title, columns = 3, note = '' }) {
  const PW = 300;
  const PH = 250;
  const pm = { l: 52, r: 12, t: 34, b: 36 }; // inside a panel
  const rows = Math.ceil(panels.length / columns);
  const top = 40;
  const legendH = 28 + (note ? 18 : 0);
  const W = PW * columns + 20;
  const H = top + rows * PH + legendH + 10;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  panels.forEach((panel, pi) => {
    const ox = 10 + (pi % columns) * PW;
    const oy = top + Math.floor(pi / columns) * PH;
    const x0 = ox + pm.l;
    const x1 = ox + PW - pm.r;
    const y0 = oy + PH - pm.b; // baseline
    const y1 = oy + pm.t;
    const values = panel.groups.flatMap((g) => [...g.values, ...(g.ranges ?? []).flatMap((r) => r ?? [])]).filter(Number.isFinite);
    const refs = (panel.refs ?? []).filter((r) => Number.isFinite(r.value));
    const max = Math.max(...values, ...refs.map((r) => r.value), 1e-9) * 1.12;
    const ticks = niceTicks(max);
    const yMax = ticks.at(-1);
    const y = (v) => y0 - (v / yMax) * (y0 - y1);
    out.push(`<text x="${(x0 + x1) / 2}" y="${oy + 16}" text-anchor="middle" font-size="12" font-weight="bold">${esc(panel.title)}</text>`);
    for (const t of ticks) {
      out.push(`<line x1="${x0}" y1="${y(t).toFixed(1)}" x2="${x1}" y2="${y(t).toFixed(1)}" stroke="${t === 0 ? '#999' : '#e4e4e4'}"/>`);
      out.push(`<text x="${x0 - 4}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="10">${t >= 1e5 ? fmtShort(t) : Number(t.toPrecision(6))}</text>`);
    }
    out.push(`<text transform="translate(${ox + 12} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" font-size="10">${esc(panel.unit)}</text>`);
    const gw = (x1 - x0) / panel.groups.length;
    const bw = (gw * 0.8) / seriesList.length;
    panel.groups.forEach((g, gi) => {
      const gx = x0 + gi * gw + gw * 0.1;
      out.push(`<text x="${(x0 + gi * gw + gw / 2).toFixed(1)}" y="${y0 + 16}" text-anchor="middle">${esc(g.label)}</text>`);
      seriesList.forEach((s, si) => {
        const v = g.values[si];
        const bx = gx + si * bw;
        const cx = bx + bw / 2;
        if (!Number.isFinite(v)) {
          out.push(`<text x="${cx.toFixed(1)}" y="${y0 - 4}" text-anchor="middle" font-size="9" fill="#888">n/a</text>`);
          return;
        }
        out.push(`<rect x="${(bx + 1).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(y0 - y(v)).toFixed(1)}" fill="${s.color}"/>`);
        const r = g.ranges?.[si];
        if (r && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0]) {
          out.push(`<path d="M${cx.toFixed(1)} ${y(r[0]).toFixed(1)}V${y(r[1]).toFixed(1)}M${(cx - 3).toFixed(1)} ${y(r[0]).toFixed(1)}h6M${(cx - 3).toFixed(1)} ${y(r[1]).toFixed(1)}h6" stroke="#333" fill="none"/>`);
        }
        const labelY = Math.min(y(v), r && Number.isFinite(r[1]) ? y(r[1]) : Infinity) - 3;
        out.push(`<text x="${cx.toFixed(1)}" y="${labelY.toFixed(1)}" text-anchor="middle" font-size="9">${fmtShort(v)}</text>`);
      });
    });
    refs.forEach((ref, ri) => {
      out.push(`<line x1="${x0}" y1="${y(ref.value).toFixed(1)}" x2="${x1}" y2="${y(ref.value).toFixed(1)}" stroke="${ref.color}" stroke-dasharray="5 4"/>`);
      const right = ri % 2 === 0; // labels of several lines alternate sides
      out.push(`<text x="${right ? x1 - 2 : x0 + 2}" y="${(y(ref.value) - 3).toFixed(1)}" text-anchor="${right ? 'end' : 'start'}" font-size="9" fill="${ref.color}">${esc(ref.label)}</text>`);
    });
  });
  const ly = top + rows * PH + 14;
  let lx = 20;
  for (const s of seriesList) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="14" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 19}" y="${ly}">${esc(s.label)}</text>`);
    lx += 30 + s.label.length * 6.5;
  }
  if (note) out.push(`<text x="20" y="${ly + 18}" font-size="10" fill="#555">${esc(note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
