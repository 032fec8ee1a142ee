/**
 * A line chart as a standalone SVG document, for the scaling curves in docs/: the benchmark scripts
 * draw their own measurements, so no figure in the docs is drawn by hand.
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
  /** Series with the same group share a colour (p50 and p95 of one side). Defaults to the name. */
  group?: string;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  logX?: boolean;
  logY?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"];
const W = 760;
const H = 440;
const M = { left: 70, right: 45, top: 40, bottom: 50 };
const LEGEND_ROW = 18;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (x: number) =>
  x >= 1000 ? x.toLocaleString("en-US", { maximumFractionDigits: 0 }) : Number(x.toPrecision(3)).toString();

/** Tick values: powers of ten (and 2×, 5×) on a log axis, about six round steps on a linear one. */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    }
    return out;
  }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 5 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 7) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(Number(v.toPrecision(12)));
  return out;
}

export function lineChart(chart: Chart): string {
  const pts = chart.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!chart.logX || x > 0) && (!chart.logY || y > 0));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  // Log axes: the data's range with a little room, not whole decades (a decade of empty plot otherwise).
  if (chart.logX) [x0, x1] = [x0 / 1.15, x1 * 1.15];
  if (chart.logY) [y0, y1] = [y0 / 1.4, y1 * 1.4];
  else [y0, y1] = [0, y1 * 1.05];
  if (x0 === x1) [x0, x1] = [x0 * 0.9, x1 * 1.1];
  const legendH = chart.series.length * LEGEND_ROW;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number) =>
    M.left +
    (chart.logX ? (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) =>
    M.top +
    plotH -
    (chart.logY ? (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) : (y - y0) / (y1 - y0)) * plotH;
  const groups = [...new Set(chart.series.map((s) => s.group ?? s.name))];
  const colour = (s: Series) => PALETTE[groups.indexOf(s.group ?? s.name) % PALETTE.length];
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + legendH}" viewBox="0 0 ${W} ${H + legendH}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(chart.title)}</text>`);
  for (const t of ticks(x0, x1, !!chart.logX)) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${sx(t)}" y="${M.top + plotH + 16}" text-anchor="middle">${num(t)}</text>`);
  }
  for (const t of ticks(y0, y1, !!chart.logY)) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${sy(t) + 4}" text-anchor="end">${num(t)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  const axisLabel = (label: string, log: boolean | undefined) => `${esc(label)}${log ? " (log)" : ""}`;
  out.push(
    `<text x="${M.left + plotW / 2}" y="${M.top + plotH + 36}" text-anchor="middle">` +
      `${axisLabel(chart.xLabel, chart.logX)}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">` +
      `${axisLabel(chart.yLabel, chart.logY)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => (!chart.logX || x > 0) && (!chart.logY || y > 0));
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    if (p.length > 0) {
      const points = p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
      out.push(`<polyline fill="none" stroke="${colour(s)}" stroke-width="2"${dash} points="${points}"/>`);
      for (const [x, y] of p)
        out.push(
          `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${colour(s)}">` +
            `<title>${esc(`${s.name}: ${num(x)} → ${num(y)}`)}</title></circle>`,
        );
    }
    const ly = H + i * LEGEND_ROW;
    out.push(
      `<line x1="${M.left}" x2="${M.left + 28}" y1="${ly - 4}" y2="${ly - 4}" ` +
        `stroke="${colour(s)}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${M.left + 36}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
