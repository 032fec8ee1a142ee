/** Inline SVG charts for the HTML report: drawn here, so the report needs no chart library and no network. */

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );

interface Series {
  name: string;
  /** CSS class giving the bars their colour. */
  cls: string;
  values: number[];
}

export interface BarChart {
  id: string;
  title: string;
  categories: string[];
  series: Series[];
  xLabel: string;
  yLabel: string;
}

/** A tick step of 1, 2 or 5 × 10^n giving about five ticks up to `max`. */
function niceStep(max: number): number {
  if (max <= 0) return 1;
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5].map((factor) => factor * mag).find((candidate) => candidate >= raw) ?? 10 * mag;
  return Math.max(step, Number.isInteger(max) ? 1 : step);
}

/** Grouped bars, one group per category, with axes, ticks, a legend and a tooltip per bar. */
export function barChart(chart: BarChart, width = 560, height = 280): string {
  const margin = { top: 34, right: 12, bottom: 58, left: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const max = Math.max(1, ...chart.series.flatMap((series) => series.values));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const yOf = (value: number) => margin.top + plotH - (value / top) * plotH;
  const groupW = plotW / Math.max(1, chart.categories.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, chart.series.length));
  const axisY = margin.top + plotH;
  const parts: string[] = [];
  parts.push(`<text class="chart-title" x="${margin.left}" y="18">${escapeHtml(chart.title)}</text>`);
  for (let tick = 0; tick <= top + 1e-9; tick += step) {
    const tickY = yOf(tick).toFixed(1);
    parts.push(`<line class="grid" x1="${margin.left}" x2="${width - margin.right}" y1="${tickY}" y2="${tickY}"/>`);
    parts.push(
      `<text class="tick" x="${margin.left - 6}" y="${tickY}" text-anchor="end" dominant-baseline="middle">` +
        `${+tick.toFixed(6)}</text>`,
    );
  }
  chart.categories.forEach((category, i) => {
    const groupX = margin.left + i * groupW + groupW * 0.1;
    chart.series.forEach((series, j) => {
      const value = series.values[i] ?? 0;
      const barX = (groupX + j * barW).toFixed(1);
      const barHeight = ((value / top) * plotH).toFixed(1);
      const tooltip = escapeHtml(`${series.name} · ${category}: ${value}`);
      parts.push(
        `<rect class="bar ${escapeHtml(series.cls)}" data-series="${escapeHtml(series.name)}" data-value="${value}" ` +
          `x="${barX}" y="${yOf(value).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${barHeight}">` +
          `<title>${tooltip}</title></rect>`,
      );
    });
    const labelX = (margin.left + (i + 0.5) * groupW).toFixed(1);
    parts.push(
      `<text class="tick" x="${labelX}" y="${axisY + 14}" text-anchor="middle">${escapeHtml(category)}</text>`,
    );
  });
  parts.push(`<line class="axis" x1="${margin.left}" x2="${width - margin.right}" y1="${axisY}" y2="${axisY}"/>`);
  parts.push(
    `<text class="axis-label" x="${margin.left + plotW / 2}" y="${height - 22}" text-anchor="middle">` +
      `${escapeHtml(chart.xLabel)}</text>`,
  );
  parts.push(
    `<text class="axis-label" transform="translate(12 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">` +
      `${escapeHtml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, j) => {
    const legendX = margin.left + j * 160;
    parts.push(
      `<rect class="bar ${escapeHtml(series.cls)}" x="${legendX}" y="${height - 12}" width="10" height="10"/>` +
        `<text class="legend" x="${legendX + 14}" y="${height - 3}">${escapeHtml(series.name)}</text>`,
    );
  });
  return (
    `<svg id="${escapeHtml(chart.id)}" class="chart" role="img" aria-label="${escapeHtml(chart.title)}" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `${parts.join("")}</svg>`
  );
}

/** Shared bins over both samples, so the two latency distributions can be read against each other. */
export function histogramBins(samples: number[][], bins = 10): { categories: string[]; counts: number[][] } {
  const all = samples.flat().filter(Number.isFinite);
  if (all.length === 0) return { categories: [], counts: samples.map(() => []) };
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const binCount = hi > lo ? bins : 1;
  const digits = width >= 10 ? 0 : width >= 1 ? 1 : width >= 0.1 ? 2 : 3;
  // Each bin is labelled by its lower bound: full ranges do not fit under ten bars.
  const categories = Array.from({ length: binCount }, (_, i) => `≥${(lo + i * width).toFixed(digits)}`);
  const counts = samples.map((sample) => {
    const binCounts = new Array<number>(binCount).fill(0);
    for (const v of sample) if (Number.isFinite(v)) binCounts[Math.min(binCount - 1, Math.floor((v - lo) / width))]!++;
    return binCounts;
  });
  return { categories, counts };
}
