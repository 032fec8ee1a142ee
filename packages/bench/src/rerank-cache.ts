/**
 * What the opt-in rerank cache saves an agent: the same seeded agent session (a user's memories, a
 * few recurring questions asked many times, a new memory now and then) through `Memory.search`
 * with the Cohere reranker against the fake Cohere server (real HTTP, real cohere-ai SDK,
 * `--latency` ms per call), once without and once with `reranker.config.cache`. Counts provider
 * calls, documents sent and billed search units, as the fake reports them.
 *
 *   node packages/bench/dist/rerank-cache.js [--turns 300] [--memories 200] [--questions 20] [--latency 150]
 */
import { Memory, registerProvider } from "@mem0/core";
import { plugin as cohere } from "@mem0/reranker-cohere";
import { startCohereServer } from "@mem0/testkit/servers";
import { arg, fmt, rng, tableRow } from "./util.js";

const KEY = "co-bench-key";
const TOPICS = ["ramen", "sushi", "hiking", "tax", "flights", "dentist", "python", "garden", "piano", "marathon"];

interface Session {
  calls: number;
  documents: number;
  searchUnits: number;
  cachedSearches: number;
  wallMs: number;
  /** Top-3 memories of every turn (ids are random per session), to check the cache changes no answer. */
  answers: string[];
}

async function session(
  url: string,
  cache: boolean,
  turns: number,
  memories: number,
  questions: number,
  server: { callsTo(p: string): { body: unknown }[] },
): Promise<Session> {
  const next = rng(11);
  const config = {
    model: "rerank-v3.5",
    api_key: KEY,
    base_url: url,
    top_k: 50,
    ...(cache ? { cache: { max_entries: 10_000, ttl_ms: 3_600_000 } } : {}),
  };
  const m = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    embedder: { provider: "lexical" },
    reranker: { provider: "cohere", config },
  });
  const topic = () => TOPICS[Math.floor(next() * TOPICS.length)]!;
  for (let i = 0; i < memories; i++)
    await m.add(`memory ${i}: the user mentioned ${topic()} and ${topic()} on day ${i % 30}`, {
      user_id: "agent-user",
      infer: false,
    });
  const asked = Array.from({ length: questions }, (_, i) =>
    `what does the user think about ${TOPICS[i % TOPICS.length]} ${i >= TOPICS.length ? "lately" : ""}`.trim(),
  );
  const before = server.callsTo("/v2/rerank").length;
  const s: Session = { calls: 0, documents: 0, searchUnits: 0, cachedSearches: 0, wallMs: 0, answers: [] };
  const t = performance.now();
  for (let turn = 0; turn < turns; turn++) {
    // Zipf-like: a few questions recur most of the time, as an agent re-reads the same context.
    const q = asked[Math.min(questions - 1, Math.floor(questions * next() ** 3))]!;
    const r = await m.search(q, { user_id: "agent-user", limit: 10 });
    const meta = r.rerank?.meta ?? {};
    s.searchUnits += Number((meta.billed_units as { search_units?: number } | undefined)?.search_units ?? 0);
    if (meta.cached === true) s.cachedSearches++;
    s.answers.push(
      r.results
        .slice(0, 3)
        .map((x) => x.memory)
        .join(" | "),
    );
    if (turn % 15 === 14)
      await m.add(`new memory at turn ${turn}: the user now likes ${topic()}`, { user_id: "agent-user", infer: false });
  }
  s.wallMs = performance.now() - t;
  const calls = server.callsTo("/v2/rerank").slice(before);
  s.calls = calls.length;
  s.documents = calls.reduce((n, c) => n + (c.body as { documents: unknown[] }).documents.length, 0);
  await m.close();
  return s;
}

async function main() {
  const turns = Number(arg("turns", "300"));
  const memories = Number(arg("memories", "200"));
  const questions = Number(arg("questions", "20"));
  const latency = Number(arg("latency", "150"));
  registerProvider(cohere);
  const server = await startCohereServer({ apiKey: KEY, latencyMs: latency });
  try {
    const off = await session(server.url, false, turns, memories, questions, server);
    const on = await session(server.url, true, turns, memories, questions, server);
    const same = off.answers.filter((a, i) => a === on.answers[i]).length;
    const saved = (a: number, b: number) => `${(100 * (1 - b / a)).toFixed(0)}%`;
    console.log(
      `Agent session: ${fmt.int(turns)} searches over ${fmt.int(memories)} memories (+1 every 15 turns), ` +
        `${questions} recurring questions, reranker top_k 50; fake Cohere at ${latency} ms per call; ` +
        `Node ${process.version}`,
    );
    console.log();
    console.log(`| | cache off | cache on | saved |`);
    console.log(`|---|---:|---:|---:|`);
    console.log(`| Cohere calls | ${fmt.int(off.calls)} | ${fmt.int(on.calls)} | ${saved(off.calls, on.calls)} |`);
    console.log(
      tableRow("documents sent", fmt.int(off.documents), fmt.int(on.documents), saved(off.documents, on.documents)),
    );
    console.log(
      tableRow(
        "billed search units",
        fmt.int(off.searchUnits),
        fmt.int(on.searchUnits),
        saved(off.searchUnits, on.searchUnits),
      ),
    );
    console.log(`| searches answered without a call (meta.cached) | ${off.cachedSearches} | ${on.cachedSearches} | |`);
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      tableRow("wall time of the session, s", seconds(off.wallMs), seconds(on.wallMs), saved(off.wallMs, on.wallMs)),
    );
    console.log();
    console.log(`Same top-3 memories with and without the cache in ${same}/${turns} turns.`);
  } finally {
    await server.close();
  }
}

await main();
