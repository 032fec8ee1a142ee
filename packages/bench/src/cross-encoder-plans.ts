/**
 * How fast can any batching be? One model, loaded through @mem0/hf-runtime exactly as the
 * `sentence_transformer` reranker loads it, runs the same pre-tokenised (query, memory) pairs
 * grouped in several ways, and the time per computed token is reported for each grouping.
 *
 * Why: the model's work is compute-bound, and mem0ai's onnxruntime uses every core as ours does,
 * so at equal dtype and threads the one thing a reranker can change is how many tokens it
 * computes: padding. The fastest grouping measured here, against mem0ai's one batch padded to the
 * longest pair, bounds the speed-up any reranker can have over it on this machine.
 *
 *   node dist/cross-encoder-plans.js --model ../../../shared/models/minilm-l6-shape-random \
 *     [--dtypes fp32,q8] [--sizes 20,100] [--threads 2,1] [--runs 7]
 *
 * Tokenisation is outside the timing (both rerankers pay it). Random weights: speed only.
 */
import { resolve } from "node:path";
import { CrossEncoder, lengthBuckets } from "@mem0/hf-runtime";
import { candidates, QUERY } from "./cross-encoder.js";
import { arg, tableRow } from "./util.js";

/** Indices sorted longest first, cut into runs of `size`. */
function sortedRuns(lengths: readonly number[], size: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const runs: number[][] = [];
  for (let i = 0; i < order.length; i += size) runs.push(order.slice(i, i + size));
  return runs;
}

async function main(): Promise<void> {
  const folder = arg("model");
  if (!folder) {
    console.error(
      "usage: node dist/cross-encoder-plans.js --model <folder> " +
        "[--dtypes fp32,q8] [--sizes 20,100] [--threads 2,1] [--runs 7]",
    );
    process.exit(2);
  }
  const model = resolve(folder);
  const runs = Number(arg("runs", "7"));
  console.log(
    tableRow(
      "dtype",
      "threads",
      "candidates",
      "grouping",
      "calls",
      "tokens computed (real)",
      "median ms",
      "µs per computed token",
      "one batch ÷ this",
    ),
  );
  console.log("|---|---:|---:|---|---:|---:|---:|---:|---:|");
  for (const dtype of arg("dtypes", "fp32,q8").split(",") as ("fp32" | "q8")[]) {
    for (const threads of arg("threads", "2").split(",").map(Number)) {
      const encoder = await CrossEncoder.load({ provider: "bench", model, dtype, device: "cpu", threads });
      for (const n of arg("sizes", "20,100").split(",").map(Number)) {
        const pairs = candidates(n).map((doc) => encoder.encodePair(QUERY, doc, 512));
        const lengths = pairs.map((p) => p.ids.length);
        const real = lengths.reduce((a, b) => a + b, 0);
        const plans: [string, number[][]][] = [
          ["one batch, padded to the longest (mem0ai)", [lengths.map((_, i) => i)]],
          ["mem0-ts planner (batch_size 32)", lengthBuckets(lengths, 32, { hiddenSize: 384 })],
          ["sorted, 8 per call", sortedRuns(lengths, 8)],
          ["sorted, 4 per call", sortedRuns(lengths, 4)],
          ["one pair per call (no padding)", sortedRuns(lengths, 1)],
        ];
        let oneBatchMs = 0;
        for (const [name, plan] of plans) {
          const batches = plan.map((b) => b.map((i) => pairs[i]!));
          const computed = plan.reduce((sum, b) => sum + b.length * Math.max(...b.map((i) => lengths[i]!)), 0);
          for (const b of batches) await encoder.logits(b); // warm-up
          const times: number[] = [];
          for (let r = 0; r < runs; r++) {
            const t = performance.now();
            for (const b of batches) await encoder.logits(b);
            times.push(performance.now() - t);
          }
          times.sort((a, b) => a - b);
          const ms = times[Math.floor(times.length / 2)]!;
          if (plan.length === 1) oneBatchMs = ms;
          console.log(
            tableRow(
              dtype,
              threads,
              n,
              name,
              plan.length,
              `${computed.toLocaleString("en-US")} (${real.toLocaleString("en-US")})`,
              ms.toFixed(0),
              ((ms * 1000) / computed).toFixed(0),
              `${(oneBatchMs / ms).toFixed(2)}×`,
            ),
          );
        }
      }
      await encoder.dispose();
    }
  }
}

await main();
