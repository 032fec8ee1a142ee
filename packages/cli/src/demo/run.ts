/**
 * `mem0 demo`: loads the playbook memories, then for each query prints the vector-only list and
 * the reranked list side by side, with scores and per-stage timings, a filtered query, and a
 * reranker failure that falls back to vector order.
 */
import { Memory, registerProvider, type MemoryConfigInput } from "@mem0/core";
import { DEMO_MEMORIES, DEMO_QUERIES } from "./demo-data.js";
import { bm25DemoReranker } from "./demo-reranker.js";
import { sideBySide, timingLine } from "./format.js";

export interface DemoOptions {
  out?: (line: string) => void;
}

const FAILING_QUERY =
  "I am planning a long weekend with friends and I would really like to know which of the restaurants that I visited recently had genuinely good vegetarian food and friendly service";

export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const out = options.out ?? ((line: string) => console.log(line));
  registerProvider(bm25DemoReranker);
  const config: MemoryConfigInput = {
    vector_store: { provider: "memory" },
    embedder: { provider: "lexical" },
    reranker: { provider: "bm25-demo", config: { max_query_words: 24 } },
  };
  const memory = await Memory.fromConfig(config);
  out("mem0-ts demo: reranker-enhanced search");
  out("store: memory (in-process) · embedder: lexical (offline keyword baseline, needs no model files)");
  out("reranker: bm25-demo (a small BM25 reranker defined in this demo with defineReranker; install @mem0/reranker-sentence-transformer for a cross-encoder)");

  const t0 = performance.now();
  for (const m of DEMO_MEMORIES) {
    await memory.add(m.text, { ...(m.user_id ? { user_id: m.user_id } : {}), ...(m.agent_id ? { agent_id: m.agent_id } : {}), metadata: m.metadata, infer: false });
  }
  out(`loaded ${DEMO_MEMORIES.length} memories in ${(performance.now() - t0).toFixed(1)} ms`);

  for (const q of DEMO_QUERIES) {
    const request = { ...q.scope, ...(q.filters ? { filters: q.filters } : {}), limit: q.limit ?? 5 };
    const vector = await memory.search(q.query, { ...request, rerank: false });
    const reranked = await memory.search(q.query, { ...request, rerank: true });
    out("");
    out(`━━ ${q.title}`);
    out(`query: ${JSON.stringify(q.query)} · scope: ${Object.entries(q.scope).map(([k, v]) => `${k}=${v}`).join(" ")}${q.filters ? ` · filters: ${JSON.stringify(q.filters)}` : ""}`);
    for (const line of sideBySide(vector, reranked)) out(line);
    out(`vector-only ${timingLine(vector)}`);
    out(`reranked    ${timingLine(reranked)}`);
  }

  out("");
  out("━━ Reranker failure: the query is too long for the demo reranker (as hosted APIs refuse oversized requests)");
  out(`query: ${JSON.stringify(FAILING_QUERY)} · scope: user_id=foodie_user`);
  let fallbackEvent = "";
  memory.once("rerank:error", (e) => (fallbackEvent = e.error.message));
  const vector = await memory.search(FAILING_QUERY, { user_id: "foodie_user", limit: 4, rerank: false });
  const failed = await memory.search(FAILING_QUERY, { user_id: "foodie_user", limit: 4, rerank: true });
  for (const line of sideBySide(vector, failed)) out(line);
  out(`fallback: reranked=${failed.reranked} · rerank.error: ${failed.rerank?.error} · event rerank:error: ${fallbackEvent ? "emitted" : "missing"} → the vector order was returned, the query was not dropped`);
  out(timingLine(failed));
}
