/**
 * Rerank time against the number of candidates (10, 20, 50, 100, 200): the local cross-encoder
 * (@mem0/hf-runtime on a model fixture, real ONNX inference, fp32 and q8) and the LLM reranker
 * (through Memory's `llm_reranker` against the fake OpenAI server, `--latency` ms per call). Median
 * of `--runs` per point; prints a table and draws docs/bench/bench-rerank-scaling.svg.
 *
 *   node packages/bench/dist/rerank-scaling.js --model ../shared/models/minilm-l6-shape-random \
 *     [--runs 5] [--latency 200]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { Memory, registerProvider, runReranker, type Reranker } from "@mem0/core";
import { CrossEncoder } from "@mem0/hf-runtime";
import llmOpenAI from "@mem0/llm-openai";
import llmReranker from "@mem0/reranker-llm";
import { llmRerankResponder, startOpenAIServer } from "@mem0/testkit/servers";
import { candidates, QUERY } from "./cross-encoder.js";
import { lineChart } from "./svg.js";
import { arg, fmt } from "./util.js";

const SIZES = [10, 20, 50, 100, 200];
const KEY = "sk-bench-scaling";

async function median(runs: number, once: () => Promise<unknown>): Promise<number> {
  await once(); // warm-up: sessions, connections
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await once();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

async function main() {
  const model = resolve(arg("model", "../shared/models/minilm-l6-shape-random"));
  const runs = Number(arg("runs", "5"));
  const latency = Number(arg("latency", "200"));
  const outDir = arg("out", "docs/bench");
  const series: { name: string; points: [number, number][] }[] = [];
  console.log(
    `Machine: ${cpus()[0]?.model ?? "?"} ×${cpus().length}, Node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" / ")}; median of ${runs}`,
  );
  console.log();
  console.log(`| reranker | ${SIZES.join(" | ")} candidates |`);
  console.log(`|---|${SIZES.map(() => "---:").join("|")}|`);
  for (const dtype of ["fp32", "q8"] as const) {
    if (dtype === "q8" && !existsSync(join(model, "onnx", "model_quantized.onnx"))) continue;
    const encoder = await CrossEncoder.load({ provider: "bench", model, dtype, device: "cpu", threads: cpus().length });
    const points: [number, number][] = [];
    for (const n of SIZES) {
      const docs = candidates(n);
      points.push([n, await median(runs, () => encoder.score(QUERY, docs, { batchSize: 32, maxLength: 512 }))]);
    }
    series.push({ name: `cross-encoder ${dtype} (${model.split("/").pop()}, ${cpus().length} threads)`, points });
  }
  registerProvider(llmOpenAI);
  registerProvider(llmReranker);
  const server = await startOpenAIServer({ apiKey: KEY, latencyMs: latency, chat: llmRerankResponder() });
  try {
    const memory = await Memory.fromConfig({
      vector_store: { provider: "memory" },
      reranker: {
        provider: "llm_reranker",
        config: { llm: { provider: "openai", config: { model: "gpt-4", api_key: KEY, base_url: `${server.url}/v1` } } },
      },
    });
    const reranker = memory.reranker as Reranker;
    const points: [number, number][] = [];
    for (const n of SIZES) {
      const docs = candidates(n);
      points.push([n, await median(runs, () => runReranker(reranker, QUERY, docs, { top_k: n }))]);
    }
    series.push({ name: `LLM reranker (fake OpenAI, ${latency} ms per call; batch_size 25, concurrency 4)`, points });
    await memory.close();
  } finally {
    await server.close();
  }
  for (const s of series) console.log(`| ${s.name} | ${s.points.map(([, y]) => `${fmt.ms(y)} ms`).join(" | ")} |`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, "bench-rerank-scaling.svg"),
    lineChart({
      title: "Rerank time vs candidates (median)",
      xLabel: "candidates",
      yLabel: "ms per rerank",
      logX: true,
      logY: true,
      series,
    }),
  );
}

await main();
