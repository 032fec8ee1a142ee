/**
 * Cohere with 2,500 candidates: calls made and wall time, against the fake Cohere server (real
 * HTTP, `--latency` ms per call, default 150) through the Cohere reranker (fetch, provider-utils). The pool is split at
 * Cohere's 1,000-documents-per-call advice into concurrent calls and merged by score.
 * mem0ai 3.3.1 is not run here: its Cohere reranker builds `new CohereClient({ token })` with no
 * base URL option, so it cannot be pointed at a local server (and it sends everything in one call).
 *
 *   pnpm --filter @mem0/bench build && node packages/bench/dist/cohere-2500.js [--latency 150]
 */
import { runReranker } from "@mem0/core";
import { startCohereServer } from "@mem0/testkit/servers";
import { plugin as cohere, configSchema } from "@mem0/reranker-cohere";

const i = process.argv.indexOf("--latency");
const LATENCY = i > 0 ? Number(process.argv[i + 1]) : 150;
const KEY = "co-bench-key";

async function main() {
  const server = await startCohereServer({ apiKey: KEY, latencyMs: LATENCY });
  const reranker = await cohere.create(configSchema.parse({ api_key: KEY, base_url: server.url }), {
    env: {},
    config: {},
    load: async () => {
      throw new Error("unused");
    },
  });
  const docs = Array.from({ length: 2500 }, (_, n) =>
    n % 500 === 7 ? `alice loves tonkotsu ramen (${n})` : `memory number ${n} about something else entirely`,
  );
  await runReranker(reranker, "ramen", ["warm up"], { top_k: 1 });
  server.reset();
  const meta: Record<string, unknown> = {};
  const t = performance.now();
  const out = await runReranker(reranker, "which ramen does alice love", docs, { top_k: 10, meta });
  const ms = performance.now() - t;
  const sizes = server.calls.map((c) => (c.body as { documents: unknown[] }).documents.length);
  console.log(`Cohere reranker, 2,500 candidates, fake server at ${LATENCY} ms per call (Node ${process.version})`);
  console.log(
    `  ${server.calls.length} calls (documents per call: ${sizes.join(", ")}), peak ${server.maxConcurrent} in flight`,
  );
  console.log(
    `  wall ${ms.toFixed(0)} ms = ${(ms / LATENCY).toFixed(2)} × one call; ` +
      `billed search units ${JSON.stringify(meta.billed_units)}`,
  );
  console.log(
    `  top 5 indices: ${out
      .slice(0, 5)
      .map((r) => r.index)
      .join(", ")}`,
  );
  await server.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
