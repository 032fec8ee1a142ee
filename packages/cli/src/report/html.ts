/**
 * The compare report: one self-contained HTML file (inline CSS, inline SVG charts, a few lines of
 * inline JS for filtering). A Content-Security-Policy forbids every network load, so opening it
 * offline shows exactly what was generated.
 */
import type { SearchResponse, SearchResult } from "@mem0/core";
import {
  RANK_BUCKETS,
  type Comparison,
  type ComparisonSummary,
  type QueryOutcome,
  type Stages,
} from "../commands/compare.js";
import { barChart, escapeHtml, histogramBins } from "./svg.js";

const fmt = (n: number | undefined, d = 3) => (n === undefined || Number.isNaN(n) ? "" : n.toFixed(d));
const msText = (n: number) => (Number.isNaN(n) ? "–" : `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`);

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header,main{max-width:1280px;margin:0 auto;padding:16px 24px}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:24px 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}.muted{color:#667085}
.charts{display:flex;gap:16px;flex-wrap:wrap}.chart{background:#fff;border:1px solid #dde1e8;border-radius:8px}
.chart .grid{stroke:#eceff3}.chart .axis{stroke:#8a94a6}.chart .tick,.chart .legend{font-size:11px;fill:#4a5467}
.chart .axis-label{font-size:12px;fill:#4a5467}.chart .chart-title{font-size:13px;font-weight:600;fill:#1d2330}
.bar.a{fill:#8a94a6}.bar.b{fill:#2f6fdf}.bar.delta{fill:#1f9d74}.bar:hover{opacity:.75}
table{border-collapse:collapse;background:#fff}
td,th{padding:3px 8px;border-bottom:1px solid #eceff3;text-align:left;vertical-align:top}
th{font-weight:600;color:#4a5467}td.n{text-align:right;font-variant-numeric:tabular-nums}
.query{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:10px 14px;margin:12px 0}
.query h3{font-size:15px;margin:0 0 4px}.lists{display:flex;gap:16px;flex-wrap:wrap}.lists>div{flex:1 1 520px}
.up{color:#1f9d74;font-weight:600}.down{color:#c4461b;font-weight:600}.new{color:#7a4cc2;font-weight:600}
.fail{color:#c4461b}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;background:#eef2ff;color:#2f4fb0}
.badge.changed{background:#e6f6ef;color:#1f7a5a}.hidden{display:none}
.controls{display:flex;gap:16px;align-items:center;margin:8px 0}
`;

// Filtering only: everything else is rendered on the server side, so the report reads the same with JS off.
const SCRIPT = `
(function () {
  var only = document.getElementById("only-changed");
  var text = document.getElementById("filter-text");
  var shown = document.getElementById("shown-count");
  function apply() {
    var q = text.value.toLowerCase();
    var n = 0;
    document.querySelectorAll("section.query").forEach(function (s) {
      var hide = (only.checked && s.dataset.topChanged !== "true") || (q && s.dataset.query.indexOf(q) < 0);
      s.classList.toggle("hidden", !!hide);
      if (!hide) n++;
    });
    shown.textContent = String(n);
  }
  only.addEventListener("change", apply);
  text.addEventListener("input", apply);
  apply();
})();
`;

function deltaCell(delta: number | null | undefined): string {
  if (delta === undefined) return "<td></td>";
  if (delta === null) return `<td class="new">new</td>`;
  if (delta > 0) return `<td class="up">↑${delta}</td>`;
  if (delta < 0) return `<td class="down">↓${-delta}</td>`;
  return `<td>=</td>`;
}

function listTable(label: string, searchResponse: SearchResponse, deltas?: (number | null)[]): string {
  const { rerank } = searchResponse;
  const status = searchResponse.reranked
    ? `reranked by ${escapeHtml(rerank?.provider ?? "")}${rerank?.model ? ` (${escapeHtml(rerank.model)})` : ""}`
    : rerank?.error
      ? `<span class="fail">reranker failed, vector order: ${escapeHtml(rerank.error)}</span>`
      : "vector order";
  const rows = searchResponse.results
    .map(
      (result: SearchResult, i) =>
        `<tr><td class="n">${i + 1}</td><td>${escapeHtml(result.memory)}</td>` +
        `<td class="n">${fmt(result.vector_score)}</td><td class="n">${fmt(result.rerank_score)}</td>` +
        `${deltas ? deltaCell(deltas[i]) : ""}</tr>`,
    )
    .join("");
  const head = `<tr><th>#</th><th>memory</th><th>vector</th><th>rerank</th>${deltas ? "<th>Δ</th>" : ""}</tr>`;
  const body = rows || `<tr><td colspan="5" class="muted">no memories match</td></tr>`;
  const stageTimes = searchResponse.timings;
  const timings =
    `embed ${msText(stageTimes.embed_ms)} · search ${msText(stageTimes.search_ms)} · ` +
    `rerank ${msText(stageTimes.rerank_ms)}${rerank ? ` (${rerank.candidates} candidates)` : ""} · ` +
    `total ${msText(stageTimes.total_ms)}`;
  return `<div><h4>${escapeHtml(label)} <span class="muted">· ${status}</span></h4>
<table class="list"><thead>${head}</thead><tbody>${body}</tbody></table>
<p class="muted timings">${timings}</p></div>`;
}

function querySection(comparison: Comparison, outcome: QueryOutcome): string {
  const scope = Object.entries(outcome.scope)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const side = (label: string, sideOutcome: QueryOutcome["a"], deltas?: (number | null)[]) =>
    sideOutcome.ok
      ? listTable(label, sideOutcome.response, deltas)
      : `<div><h4>${escapeHtml(label)}</h4><p class="fail">failed: ${escapeHtml(sideOutcome.error)}</p></div>`;
  const searchText = escapeHtml(`${outcome.id} ${outcome.query}`.toLowerCase());
  const badge = outcome.topChanged ? `<span class="badge changed">top result changed</span>` : "";
  const filters = outcome.filters ? ` · filters <code>${escapeHtml(JSON.stringify(outcome.filters))}</code>` : "";
  const lists = side(comparison.labels.a, outcome.a) + side(comparison.labels.b, outcome.b, outcome.deltas);
  return `<section class="query" data-top-changed="${outcome.topChanged}" data-query="${searchText}">
<h3>${escapeHtml(outcome.id)}: ${escapeHtml(outcome.query)} ${badge}</h3>
<p class="muted">${escapeHtml(scope)}${filters} · limit ${outcome.limit}</p>
<div class="lists">${lists}</div></section>`;
}

function stageTable(comparison: Comparison): string {
  const cells = (stageStats: Stages) =>
    (["embed_ms", "search_ms", "rerank_ms", "total_ms"] as const)
      .map(
        (stage) =>
          `<td class="n">${msText(stageStats[stage].p50)}</td><td class="n">${msText(stageStats[stage].p95)}</td>`,
      )
      .join("");
  const row = (label: string, stageStats: Stages) => `<tr><th>${escapeHtml(label)}</th>${cells(stageStats)}</tr>`;
  const head =
    `<tr><th></th><th colspan="2">embed p50 / p95</th><th colspan="2">vector search</th>` +
    `<th colspan="2">rerank</th><th colspan="2">total</th></tr>`;
  const { latency } = comparison.summary;
  return `<table id="stage-latency"><thead>${head}</thead>
<tbody>${row(comparison.labels.a, latency.a)}${row(comparison.labels.b, latency.b)}</tbody></table>`;
}

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

function failureItem(failure: ComparisonSummary["failures"]["list"][number], labels: Comparison["labels"]): string {
  const where = `${escapeHtml(labels[failure.side])} · ${failure.kind}`;
  return `<li><b>${escapeHtml(failure.query)}</b> · ${where}: ${escapeHtml(failure.message)}</li>`;
}

export function renderHtmlReport(comparison: Comparison): string {
  const summaryOf = comparison.summary;
  const totals = (side: "a" | "b") =>
    comparison.queries.flatMap((q) =>
      q[side].ok ? [(q[side] as { response: SearchResponse }).response.timings.total_ms] : [],
    );
  const bins = histogramBins([totals("a"), totals("b")]);
  const latencyChart = barChart({
    id: "chart-latency",
    title: `Search latency per query: ${comparison.labels.a} vs ${comparison.labels.b}`,
    categories: bins.categories,
    series: [
      { name: comparison.labels.a, cls: "a", values: bins.counts[0] ?? [] },
      { name: comparison.labels.b, cls: "b", values: bins.counts[1] ?? [] },
    ],
    xLabel: "total latency (ms)",
    yLabel: "queries",
  });
  const rankChart = barChart({
    id: "chart-rank",
    title: `Rank change of each ${comparison.labels.b} result against ${comparison.labels.a}`,
    categories: [...RANK_BUCKETS],
    series: [{ name: "results", cls: "delta", values: RANK_BUCKETS.map((b) => summaryOf.rankChanges[b]) }],
    xLabel: "places moved (new = not in the other list)",
    yLabel: "results",
  });
  const failures = summaryOf.failures.list.length
    ? `<ul id="failures">${summaryOf.failures.list.map((item) => failureItem(item, comparison.labels)).join("")}</ul>`
    : `<p id="failures" class="muted">none</p>`;
  const mode = comparison.mode === "rerank" ? "one configuration, reranking off vs on" : "two configurations";
  const { added } = summaryOf.latency;
  const { a: failuresA, b: failuresB } = summaryOf.failures;
  const fallbacks = failuresA.fallbacks + failuresB.fallbacks;
  const title = `mem0-ts compare: ${escapeHtml(comparison.labels.a)} vs ${escapeHtml(comparison.labels.b)}`;
  const pct = summaryOf.compared ? `${((100 * summaryOf.topChanged) / summaryOf.compared).toFixed(0)}%` : "–";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${CSS}</style></head>
<body><header><h1>${title}</h1>
<p class="muted">generated ${escapeHtml(comparison.generated_at)} · ${mode}</p>
<div class="cards">
<div class="card" id="card-queries"><b>${summaryOf.queries}</b>queries (${summaryOf.compared} compared)</div>
<div class="card" id="card-top"><b>${summaryOf.topChanged} (${pct})</b>top result changed</div>
<div class="card" id="card-added"><b>${msText(added.p50)} / ${msText(added.p95)}</b>latency added, p50 / p95</div>
<div class="card" id="card-failures"><b>${failuresA.errors + failuresB.errors} / ${fallbacks}</b>\
errors / reranker fallbacks</div>
</div></header>
<main><h2>Charts</h2><div class="charts">${latencyChart}${rankChart}</div>
<h2>Latency per stage</h2>${stageTable(comparison)}
<h2>Failures</h2>${failures}
<h2>Queries</h2>
<div class="controls"><label><input type="checkbox" id="only-changed"> only queries whose top result changed</label>
<label>filter <input type="search" id="filter-text" placeholder="query id or text"></label>\
<span class="muted"><span id="shown-count">${comparison.queries.length}</span> shown</span></div>
${comparison.queries.map((q) => querySection(comparison, q)).join("\n")}
</main><script>${SCRIPT}</script></body></html>
`;
}
