/**
 * LLM reranker benchmark: this project's `llm_reranker` vs mem0ai 3.3.1's, against one fake
 * OpenAI server (real HTTP on 127.0.0.1) that takes `--latency` ms per call (default 200), in one
 * run. Reports wall time, calls made, prompt characters sent and peak concurrency for 20 and 100
 * candidates, then what each does when the server answers 500 to everything.
 *
 *   pnpm --filter @mem0/bench build && node packages/bench/dist/llm-reranker.js [--latency 200]
 */
import { Memory, runReranker, type Reranker } from "@mem0/core";
import {
  lexicalScore,
  llmRerankResponder,
  messageText,
  startOpenAIServer,
  type ChatRequest,
  type OpenAIServer,
} from "@mem0/testkit/servers";
import { LLMReranker as Mem0aiLLMReranker, OpenAILLM as Mem0aiOpenAILLM } from "mem0ai/oss";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LATENCY = arg("latency", 200);
const KEY = "sk-bench-0000000000000000";
const QUERY = "which ramen places does alice like near the office";

const ours = llmRerankResponder();
/** Answers both protocols: ours (JSON in, JSON scores out) and mem0ai's ("Query: …\n\nDocument: …" → a number). */
function responder(request: ChatRequest, call: Parameters<typeof ours>[1]) {
  const user = messageText([...request.messages].reverse().find((m) => m.role === "user")?.content);
  const m = /^Query: ([\s\S]*)\n\nDocument: ([\s\S]*)$/.exec(user);
  if (m) return lexicalScore(m[1]!, m[2]!).toFixed(3);
  return ours(request, call);
}

function candidates(n: number): string[] {
  const topics = [
    "alice likes the ramen place near the office",
    "bob prefers sushi on fridays",
    "the office printer is broken",
    "alice booked a window seat",
    "quarterly planning notes for the payments team",
    "alice's favourite ramen is tonkotsu",
    "the gym closes at 9pm",
    "carol is allergic to peanuts",
  ];
  return Array.from(
    { length: n },
    (_, i) => `${topics[i % topics.length]} (note ${i}, written on day ${((i * 3) % 31) + 1})`,
  );
}

interface Run {
  ms: number;
  calls: number;
  promptChars: number;
  peak: number;
  detail: string;
}

function promptChars(server: OpenAIServer, from: number): number {
  return server.calls
    .slice(from)
    .reduce(
      (sum, c) => sum + ((c.body as ChatRequest).messages ?? []).reduce((s, m) => s + messageText(m.content).length, 0),
      0,
    );
}

async function measure(server: OpenAIServer, run: () => Promise<string>): Promise<Run> {
  const from = server.calls.length;
  server.maxConcurrent = 0;
  const t = performance.now();
  const detail = await run();
  const ms = performance.now() - t;
  return {
    ms,
    calls: server.calls.length - from,
    promptChars: promptChars(server, from),
    peak: server.maxConcurrent,
    detail,
  };
}

const fmt = (r: Run) =>
  `${r.ms.toFixed(0).padStart(6)} ms  ${String(r.calls).padStart(4)} calls  ` +
  `${String(r.promptChars).padStart(7)} prompt chars  peak ${String(r.peak).padStart(3)} in flight  ${r.detail}`;

async function main() {
  const server = await startOpenAIServer({ apiKey: KEY, latencyMs: LATENCY, chat: responder });
  const baseURL = `${server.url}/v1`;
  const memory = await Memory.fromConfig({
    vector_store: { provider: "memory" },
    reranker: {
      provider: "llm_reranker",
      config: { llm: { provider: "openai", config: { model: "gpt-4", api_key: KEY, base_url: baseURL } } },
    },
  });
  const oursReranker = memory.reranker as Reranker;
  // mem0ai 3.3.1 wires its LLMReranker the same way its RerankerFactory does for `llm_reranker`.
  const theirs = new Mem0aiLLMReranker(
    { topK: undefined } as never,
    new Mem0aiOpenAILLM({ apiKey: KEY, baseURL, model: "gpt-4" } as never),
  );

  console.log(`LLM reranker benchmark: fake OpenAI server at ${LATENCY} ms per call (Node ${process.version})\n`);
  const rows: { n: number; ours: Run; theirs: Run }[] = [];
  for (const n of [20, 100]) {
    const docs = candidates(n);
    // One warm-up each, so neither side pays for connection setup in the measured run.
    await runReranker(oursReranker, QUERY, docs.slice(0, 2), { top_k: 2 });
    await theirs.rerank(QUERY, docs.slice(0, 2));
    const o = await measure(server, async () => {
      const out = await runReranker(oursReranker, QUERY, docs, { top_k: n });
      return `top: #${out[0]!.index}`;
    });
    const t = await measure(server, async () => {
      const out = await theirs.rerank(QUERY, docs);
      return `top: #${out[0]!.index}`;
    });
    rows.push({ n, ours: o, theirs: t });
    console.log(`${n} candidates`);
    console.log(`  mem0-ts  ${fmt(o)}`);
    console.log(`  mem0ai   ${fmt(t)}`);
    console.log(
      `  ratio    wall ${(t.ms / o.ms).toFixed(2)}×, calls ${(t.calls / o.calls).toFixed(1)}×, ` +
        `prompt chars ${(t.promptChars / o.promptChars).toFixed(2)}× (mem0ai / mem0-ts); ` +
        `mem0-ts wall = ${(o.ms / LATENCY).toFixed(2)} × one call\n`,
    );
  }

  console.log("Server answers HTTP 500 to every call (20 candidates)");
  server.always({ type: "status", status: 500 });
  for (const text of candidates(20)) await memory.add(text, { user_id: "alice", infer: false });
  const o500 = await measure(server, async () => {
    const r = await memory.search(QUERY, { user_id: "alice", limit: 20, rerank: true, timeout_ms: 3000 });
    return `reranked: ${r.reranked}, error: ${JSON.stringify(r.rerank?.error)}`;
  });
  const t500 = await measure(server, async () => {
    const originalWarn = console.warn;
    console.warn = () => undefined; // mem0ai warns once per document; counted, not printed
    try {
      const out = await theirs.rerank(QUERY, candidates(20));
      const distinct = [...new Set(out.map((r: { rerankScore: number }) => r.rerankScore))];
      return `returned ${out.length} results, distinct scores ${JSON.stringify(distinct)}, no error raised`;
    } finally {
      console.warn = originalWarn;
    }
  });
  server.clearFaults();
  console.log(`  mem0-ts  ${fmt(o500)}`);
  console.log(`  mem0ai   ${fmt(t500)}\n`);

  const [r20, r100] = rows;
  const checks = [
    [`20 candidates in ≤ 1.5 × one call (${(r20!.ours.ms / LATENCY).toFixed(2)}×)`, r20!.ours.ms <= 1.5 * LATENCY],
    [`20 candidates in ≤ 2 calls (${r20!.ours.calls})`, r20!.ours.calls <= 2],
    [
      "≥ 2.5× fewer prompt characters than mem0ai at 20 " +
        `(${(r20!.theirs.promptChars / r20!.ours.promptChars).toFixed(2)}×)`,
      r20!.theirs.promptChars >= 2.5 * r20!.ours.promptChars,
    ],
    [`100 candidates in ≤ 2 × one call (${(r100!.ours.ms / LATENCY).toFixed(2)}×)`, r100!.ours.ms <= 2 * LATENCY],
    [
      `100 candidates with bounded concurrency (peak ${r100!.ours.peak} vs mem0ai ${r100!.theirs.peak})`,
      r100!.ours.peak <= 4,
    ],
  ] as const;
  console.log("Targets (issue 5)");
  for (const [label, ok] of checks) console.log(`  ${ok ? "PASS" : "MISS"}  ${label}`);
  await memory.close();
  await server.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
