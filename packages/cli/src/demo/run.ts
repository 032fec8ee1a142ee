/**
 * `mem0-ts demo`: loads a few hundred playbook memories, then for each query prints the vector-only
 * list and the reranked list side by side (scores, rank changes, per-stage latency), including
 * filtered queries and a reranker failure that falls back to vector order, and ends with a summary.
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage, Memory, registerProvider, type ProviderBlock, type SearchResponse } from "@mem0/core";
import { queryLimitReranker } from "./query-limit.js";
import { ingest } from "../ingest.js";
import { processIo, type Io } from "../io.js";
import { ms, resultLists, timingLine, wrap } from "../format.js";
import { loadProviderPackage, registerCliProviders } from "../providers.js";
import { startProgress } from "../progress.js";
import { percentile } from "../stats.js";
import {
  chooseModels,
  describeModels,
  OFFLINE_MODELS,
  type Env,
  type LoadedModels,
  type ModelChoice,
} from "./models.js";
import { DEMO_MEMORIES, DEMO_QUERIES } from "./playbooks.js";
import type { DemoMemory } from "./types.js";

export interface DemoOptions {
  io?: Io;
  env?: Env;
  /** Skip the network check and downloads: offline models unless their files are on disk. */
  offline?: boolean;
  /** Where the sqlite store keeps the demo's memories (default: a folder in the OS temp dir). */
  storePath?: string;
  probeTimeoutMs?: number;
}

/** The demo's cap on reranked query length; FAILING_QUERY is longer. */
const MAX_QUERY_WORDS = 24;

export const FAILING_QUERY =
  "I am planning a long weekend with friends and I would really like to know which of the restaurants " +
  "that I visited recently had genuinely good vegetarian food and friendly service";

const scopeKey = (memory: DemoMemory) => (memory.user_id ? `user_id=${memory.user_id}` : `agent_id=${memory.agent_id}`);

function datasetHash(): string {
  return createHash("sha256").update(JSON.stringify(DEMO_MEMORIES)).digest("hex").slice(0, 10);
}

interface StoreChoice {
  block: ProviderBlock;
  line: string;
}

async function chooseStore(models: LoadedModels, options: DemoOptions, env: Env): Promise<StoreChoice> {
  const sqlite = await loadProviderPackage("@mem0/store-sqlite");
  if (!sqlite.ok)
    return {
      block: { provider: "memory" },
      line: `store: memory (in-process; nothing is kept after the demo), because ${sqlite.reason}`,
    };
  const path = options.storePath ?? env.MEM0_DEMO_DB ?? join(tmpdir(), "mem0-demo", "demo.db");
  // Vectors from different embedders cannot share a collection; a changed dataset gets a new one.
  const collection = `demo_${models.embedder.provider === "lexical" ? "lexical" : "minilm"}_${datasetHash()}`;
  return {
    block: { provider: "sqlite", config: { path, collection_name: collection } },
    line: `store: sqlite at ${path} (collection ${collection}; kept between runs)`,
  };
}

/**
 * Loads each local model once and runs it on a tiny input, so that a model that cannot load is
 * replaced by its offline counterpart (and a cold model does not land in the first query's
 * latency). The probing instances stay open until the demo's own Memory holds the models, so
 * they are not loaded twice.
 */
async function loadModels(choice: ModelChoice, io: Io): Promise<{ loaded: LoadedModels; probes: Memory[] }> {
  const loaded: LoadedModels = { embedder: choice.embedder, reranker: choice.reranker, failed: {} };
  const probes: Memory[] = [];
  if (choice.kind !== "local") return { loaded, probes };
  const bar = startProgress(io, "loading models", 2);
  try {
    try {
      const lexicalMemory = await Memory.fromConfig({
        vector_store: { provider: "memory" },
        embedder: choice.embedder,
      });
      probes.push(lexicalMemory);
      await lexicalMemory.embedder.embed(["warm up"], "search");
    } catch (err) {
      loaded.embedder = OFFLINE_MODELS.embedder;
      loaded.failed.embedder = errorMessage(err);
    }
    bar.increment();
    try {
      const probeMemory = await Memory.fromConfig({
        vector_store: { provider: "memory" },
        embedder: OFFLINE_MODELS.embedder,
        reranker: choice.reranker,
      });
      probes.push(probeMemory);
      await probeMemory.reranker?.rerank("warm up", ["a short memory", "another memory"]);
    } catch (err) {
      loaded.reranker = OFFLINE_MODELS.reranker;
      loaded.failed.reranker = errorMessage(err);
    }
    bar.increment();
  } finally {
    bar.stop();
  }
  return { loaded, probes };
}

/** Returns true when the store already holds exactly the demo's memories. */
async function alreadyLoaded(memory: Memory): Promise<boolean> {
  const expected = new Map<string, number>();
  for (const m of DEMO_MEMORIES) expected.set(scopeKey(m), (expected.get(scopeKey(m)) ?? 0) + 1);
  for (const [key, count] of expected) {
    const [k, v] = key.split("=") as ["user_id" | "agent_id", string];
    const found = await memory.getAll({ [k]: v, limit: count + 1 });
    if (found.results.length !== count) return false;
  }
  return true;
}

/** Prints a prose line wrapped at the terminal's width. */
const sayTo = (io: Io) => (line: string) => {
  for (const part of wrap(line, io.columns)) io.out(part);
};

/** Said under the models line whenever a keyword-level model runs. */
const KEYWORD_MODELS_NOTE =
  "note: the lexical embedder and the bm25 reranker match keywords, not meaning, " +
  "so these lists do not show what a real reranker does (bm25 can even make the order worse). " +
  "A real setup: `npm install @mem0/embedder-huggingface @mem0/reranker-sentence-transformer` " +
  "and run the demo online once (it downloads Xenova/all-MiniLM-L6-v2 and " +
  "Xenova/ms-marco-MiniLM-L-6-v2, ~45 MB), or a config such as " +
  '{ "embedder": { "provider": "openai", "config": { "model": "text-embedding-3-small" } }, ' +
  '"reranker": { "provider": "cohere", "config": { "model": "rerank-english-v3.0" } } } (docs/cli.md)';

export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const io = options.io ?? processIo();
  const say = sayTo(io);
  const env = options.env ?? process.env;
  registerCliProviders();
  registerProvider(queryLimitReranker);
  say("mem0-ts demo: reranker-enhanced search on Mem0's reranker playbooks (vector-only vs reranked, side by side)");

  const choice = await chooseModels({ io, env, offline: options.offline, probeTimeoutMs: options.probeTimeoutMs });
  const { loaded, probes } = await loadModels(choice, io);
  const store = await chooseStore(loaded, options, env);
  let memory: Memory;
  try {
    const reranker = {
      provider: queryLimitReranker.provider,
      config: { reranker: loaded.reranker, max_query_words: MAX_QUERY_WORDS },
    };
    memory = await Memory.fromConfig({ vector_store: store.block, embedder: loaded.embedder, reranker });
  } finally {
    await Promise.all(probes.map((p) => p.close()));
  }
  say(describeModels(choice, loaded));
  if (
    loaded.embedder.provider === OFFLINE_MODELS.embedder.provider ||
    loaded.reranker.provider === OFFLINE_MODELS.reranker.provider
  )
    say(KEYWORD_MODELS_NOTE);
  say(store.line);

  try {
    const users = new Set(DEMO_MEMORIES.map(scopeKey));
    if (store.block.provider !== "memory" && (await alreadyLoaded(memory))) {
      say(`reusing ${DEMO_MEMORIES.length} memories of ${users.size} users and agents already in the store`);
    } else {
      await memory.reset();
      const ingested = await ingest(
        memory,
        DEMO_MEMORIES.map((m) => ({
          memory: m.text,
          ...(m.user_id ? { user_id: m.user_id } : {}),
          ...(m.agent_id ? { agent_id: m.agent_id } : {}),
          metadata: m.metadata,
        })),
        io,
      );
      say(
        `loaded ${ingested.count} memories of ${users.size} users and agents (${[...users].join(", ")}) ` +
          `in ${ingested.ms.toFixed(0)} ms`,
      );
    }
    await runQueries(memory, io);
  } finally {
    await memory.close();
  }
}

async function runQueries(memory: Memory, io: Io): Promise<void> {
  const pairs: { vector: SearchResponse; reranked: SearchResponse }[] = [];
  const layout = { ...(io.columns ? { columns: io.columns } : {}), ...(io.colors ? { colors: io.colors } : {}) };
  const say = sayTo(io);
  // One untimed pass first: the timings below are then those of a warm process (JIT, caches,
  // lazily loaded models), not of its first few calls.
  for (const demoQuery of DEMO_QUERIES) {
    for (const rerank of [false, true])
      await memory.search(demoQuery.query, {
        ...demoQuery.scope,
        ...(demoQuery.filters ? { filters: demoQuery.filters } : {}),
        limit: demoQuery.limit ?? 5,
        rerank,
      });
  }
  for (const demoQuery of DEMO_QUERIES) {
    const request = {
      ...demoQuery.scope,
      ...(demoQuery.filters ? { filters: demoQuery.filters } : {}),
      limit: demoQuery.limit ?? 5,
    };
    const vector = await memory.search(demoQuery.query, { ...request, rerank: false });
    const reranked = await memory.search(demoQuery.query, { ...request, rerank: true });
    pairs.push({ vector, reranked });
    io.out("");
    say(`━━ ${demoQuery.title}`);
    say(
      `query: ${JSON.stringify(demoQuery.query)} · scope: ${Object.entries(demoQuery.scope)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}${demoQuery.filters ? ` · filters: ${JSON.stringify(demoQuery.filters)}` : ""}`,
    );
    const title = reranked.reranked ? `reranked (${reranked.rerank?.provider})` : "reranked: fell back to vector order";
    for (const line of resultLists({ title: "vector only", response: vector }, { title, response: reranked }, layout))
      io.out(line);
    say(`vector-only ${timingLine(vector)}`);
    say(`reranked    ${timingLine(reranked)}`);
  }

  io.out("");
  say(
    `━━ Reranker failure: the query has more than ${MAX_QUERY_WORDS} words, ` +
      `and the demo caps queries at ${MAX_QUERY_WORDS} words as hosted rerank APIs cap request size`,
  );
  say(`query: ${JSON.stringify(FAILING_QUERY)} · scope: user_id=foodie_user`);
  let event = "";
  const onError = (e: { error: Error }) => (event = e.error.message);
  memory.once("rerank:error", onError);
  const vector = await memory.search(FAILING_QUERY, { user_id: "foodie_user", limit: 4, rerank: false });
  const failed = await memory.search(FAILING_QUERY, { user_id: "foodie_user", limit: 4, rerank: true });
  memory.off("rerank:error", onError);
  for (const line of resultLists(
    { title: "vector only", response: vector },
    { title: failed.reranked ? "reranked" : "reranked: fell back to vector order", response: failed },
    layout,
  ))
    io.out(line);
  say(
    `fallback: reranked=${failed.reranked} · rerank.error: ${failed.rerank?.error} · ` +
      `event rerank:error: ${event ? "emitted" : "missing"} → ` +
      "the vector order was returned, the query was not dropped",
  );
  say(timingLine(failed));

  const changed = pairs.filter((p) => p.vector.results[0]?.id !== p.reranked.results[0]?.id).length;
  const rerankMs = pairs.map((p) => p.reranked.timings.rerank_ms);
  const totals = (k: "vector" | "reranked") => pairs.map((p) => p[k].timings.total_ms);
  io.out("");
  say(
    `━━ Summary: reranking changed the top result in ${changed} of ${pairs.length} queries · ` +
      `rerank stage p50 ${ms(percentile(rerankMs, 50))}, p95 ${ms(percentile(rerankMs, 95))} · ` +
      `total p50 ${ms(percentile(totals("vector"), 50))} vector-only ` +
      `vs ${ms(percentile(totals("reranked"), 50))} reranked`,
  );
  say(
    "Next: `npx mem0-ts compare --queries queries.jsonl --html report.html` on your own queries, " +
      "`npx mem0-ts eval` on a BEIR dataset " +
      "(in this repository: `npx -y pnpm@12.4.2 mem0-ts compare …`; docs/cli.md).",
  );
}
