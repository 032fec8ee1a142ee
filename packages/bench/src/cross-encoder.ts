/**
 * Cross-encoder reranking, side by side, on one model folder and the same candidates:
 *
 * - `mem0ts`: @mem0/hf-runtime's CrossEncoder, as the `sentence_transformer` reranker runs it
 *   (length-bucketed batches of 32, all cores);
 * - `mem0ai`: mem0ai 3.3.x's `sentence_transformer` reranker (RerankerFactory, its defaults);
 * - `ort`: the floor — a bare onnxruntime-node InferenceSession with every core, fed tensors
 *   pre-tokenised outside the timing, in batches of 32 in candidate order, each padded to its
 *   longest pair.
 *
 * Each (runner, dtype, candidates) runs in its own child process so peak RSS is its own.
 *
 *   node dist/cross-encoder.js --model ../../../shared/models/minilm-l6-shape-random \
 *     [--runs 15] [--rounds 3] [--dtypes fp32,q8] [--sizes 20,100]
 *
 * With `--rounds R` the three runners take turns R times per case and each figure is the median
 * over rounds (peak RSS: the highest), so a neighbour's load spreads over all three alike.
 *
 * Random-weight model: this measures speed and memory only, never ranking quality.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { arg, rng, tableRow } from "./util.js";

type Runner = "mem0ts" | "mem0ai" | "ort";
type Dtype = "fp32" | "q8";

interface Measurement {
  runner: Runner;
  dtype: Dtype;
  candidates: number;
  medianMs: number;
  p90Ms: number;
  /** CPU time (all threads) per query, median: the work done, less sensitive to a busy machine than wall time. */
  cpuMs: number;
  pairsPerSecond: number;
  peakRssMb: number;
  loadMs: number;
  checksum: number;
}

// ---------- deterministic candidates: memories of 10–60 words ----------

const WORDS = (
  "alice bob likes loves prefers works lives visited bought cooked ordered watched read wrote plays " +
  "ramen sushi coffee tea pizza pasta salad bread cheese wine beer chocolate apples rice soup curry " +
  "morning evening weekend monday friday summer winter yesterday today tomorrow often never always " +
  "office home kitchen garden city park beach mountain river station airport hotel school library " +
  "meeting project report deadline budget team manager client email call plan trip flight train car " +
  "the a an of to in on at for with about from by and or but because after before during while " +
  "new old small large quiet busy early late favourite second best worst quick slow warm cold red blue"
).split(" ");

export function candidates(n: number, seed = 7): string[] {
  const random = rng(seed);
  return Array.from({ length: n }, () => {
    const length = 10 + Math.floor(random() * 51); // 10..60 words
    const words = Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]!);
    return `${words.join(" ")}.`;
  });
}

export const QUERY = "what does alice like to eat on friday evenings";

// ---------- model folders for each dtype ----------

/**
 * mem0ai cannot pass a dtype, so q8 is selected for all runners the way transformers.js allows
 * without code: a copy of the folder whose config.json says `transformers.js_config.dtype`.
 */
function folderFor(model: string, dtype: Dtype): string {
  if (dtype === "fp32") return model;
  const dir = join(mkdtempSync(join(tmpdir(), "mem0-bench-q8-")), "model");
  cpSync(model, dir, { recursive: true, filter: (src) => !src.endsWith(".onnx") });
  for (const f of ["model.onnx", "model_quantized.onnx"]) {
    if (existsSync(join(model, "onnx", f))) symlinkSync(join(model, "onnx", f), join(dir, "onnx", f));
  }
  const config = JSON.parse(readFileSync(join(model, "config.json"), "utf8"));
  config["transformers.js_config"] = { ...(config["transformers.js_config"] ?? {}), dtype: "q8" };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  return dir;
}

// ---------- one measurement, in a child process ----------

async function prepare(
  runner: Runner,
  folder: string,
  dtype: Dtype,
  threads: number,
  workload: { queries: string[]; docs: string[] },
): Promise<(query: string, docs: string[]) => Promise<number[]>> {
  const transformers = await import("@huggingface/transformers");
  transformers.env.allowRemoteModels = false;
  transformers.env.useFSCache = false;
  if (runner === "mem0ai") {
    const { RerankerFactory } = await import("mem0ai/oss");
    const reranker = RerankerFactory.create("sentence_transformer", { model: folder });
    return async (query, docs) => {
      const out = await reranker.rerank(query, docs);
      const scores = new Array<number>(docs.length);
      for (const r of out) scores[r.index] = r.rerankScore;
      return scores;
    };
  }
  const { CrossEncoder } = await import("@mem0/hf-runtime");
  const encoder = await CrossEncoder.load({ provider: "bench", model: folder, dtype, device: "cpu", threads });
  if (runner === "mem0ts") {
    return (query, docs) => encoder.score(query, docs, { batchSize: 32, maxLength: 512 });
  }
  // The floor: onnxruntime alone. Tokenisation happens before the clock starts.
  const ort = await import("onnxruntime-node");
  const file = join(folder, "onnx", dtype === "q8" ? "model_quantized.onnx" : "model.onnx");
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const tensors = new Map<string, ReturnType<typeof encoder.batchTensors>[]>();
  for (const query of workload.queries) {
    const pairs = workload.docs.map((d) => encoder.encodePair(query, d, 512));
    const batches = [];
    for (let i = 0; i < pairs.length; i += 32) batches.push(encoder.batchTensors(pairs.slice(i, i + 32)));
    tensors.set(query, batches);
  }
  return async (query) => {
    const scores: number[] = [];
    for (const t of tensors.get(query)!) {
      const feeds: Record<string, import("onnxruntime-node").Tensor> = {
        input_ids: new ort.Tensor("int64", t.input_ids.data as BigInt64Array, t.input_ids.dims),
        attention_mask: new ort.Tensor("int64", t.attention_mask.data as BigInt64Array, t.attention_mask.dims),
      };
      if (t.token_type_ids && session.inputNames.includes("token_type_ids")) {
        feeds.token_type_ids = new ort.Tensor("int64", t.token_type_ids.data as BigInt64Array, t.token_type_ids.dims);
      }
      const out = await session.run(feeds);
      for (const x of out.logits!.data as Float32Array) scores.push(1 / (1 + Math.exp(-x)));
    }
    return scores;
  };
}

async function child(): Promise<void> {
  const runner = arg("runner") as Runner;
  const dtype = arg("dtype") as Dtype;
  const folder = arg("folder")!;
  const n = Number(arg("n"));
  const runs = Number(arg("runs", "15"));
  const threads = Number(arg("threads", String(availableParallelism())));
  const docs = candidates(n);
  // Each run reranks a different query over the same pool, as consecutive searches would.
  const queries = Array.from({ length: runs + 2 }, (_, i) =>
    i === 0 ? QUERY : `${QUERY} ${WORDS[(i * 13) % WORDS.length]}`,
  );
  const t0 = performance.now();
  const score = await prepare(runner, folder, dtype, threads, { queries, docs });
  await score(queries[0]!, docs); // warm-up: first-run allocations and the mem0ai lazy load
  const loadMs = performance.now() - t0;
  await score(queries[1]!, docs);
  const times: number[] = [];
  const cpu: number[] = [];
  let checksum = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const scores = await score(queries[i + 2]!, docs);
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
    checksum += scores.reduce((a, b) => a + b, 0);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const result: Measurement = {
    runner,
    dtype,
    candidates: n,
    medianMs: median,
    p90Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.9))]!,
    cpuMs: cpu[Math.floor(cpu.length / 2)]!,
    pairsPerSecond: (n / median) * 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    loadMs,
    checksum,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------- the parent: every combination, then the table ----------

function parent(): void {
  const model = arg("model");
  if (!model || !existsSync(join(model, "onnx", "model.onnx"))) {
    console.error(
      "usage: node dist/cross-encoder.js --model <folder with onnx/model.onnx> " +
        "[--runs 15] [--dtypes fp32,q8] [--sizes 20,100] [--threads N]",
    );
    process.exit(2);
  }
  const absolute = resolve(model);
  const dtypes = (arg("dtypes", "fp32,q8").split(",") as Dtype[]).filter(
    (d) => d === "fp32" || existsSync(join(absolute, "onnx", "model_quantized.onnx")),
  );
  const sizes = arg("sizes", "20,100").split(",").map(Number);
  const runs = arg("runs", "15");
  const rounds = Number(arg("rounds", "1"));
  const threads = arg("threads", String(availableParallelism()));
  const self = fileURLToPath(import.meta.url);
  const results: Measurement[] = [];
  for (const dtype of dtypes) {
    const folder = folderFor(absolute, dtype);
    for (const n of sizes) {
      const perRound: Measurement[] = [];
      for (let round = 0; round < rounds; round++)
        for (const runner of ["mem0ai", "mem0ts", "ort"] as Runner[]) {
          const r = spawnSync(
            process.execPath,
            [
              self,
              "--child",
              "--runner",
              runner,
              "--dtype",
              dtype,
              "--folder",
              folder,
              "--n",
              String(n),
              "--runs",
              runs,
              "--threads",
              threads,
            ],
            {
              encoding: "utf8",
              maxBuffer: 16 << 20,
            },
          );
          const line = r.stdout
            .trim()
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .at(-1);
          if (r.status !== 0 || !line) {
            console.error(`${runner} ${dtype} ${n}: failed (exit ${r.status})\n${r.stderr.slice(-2000)}`);
            continue;
          }
          const m = JSON.parse(line) as Measurement;
          perRound.push(m);
          console.error(
            `${runner.padEnd(6)} ${dtype.padEnd(4)} n=${String(n).padEnd(3)} ` +
              `median ${m.medianMs.toFixed(1)} ms (CPU ${m.cpuMs.toFixed(0)} ms), ` +
              `${m.pairsPerSecond.toFixed(0)} pairs/s, peak RSS ${m.peakRssMb.toFixed(0)} MB`,
          );
        }
      for (const runner of ["mem0ai", "mem0ts", "ort"] as Runner[]) {
        const mine = perRound.filter((m) => m.runner === runner).sort((a, b) => a.medianMs - b.medianMs);
        if (mine.length === 0) continue;
        const mid = mine[Math.floor(mine.length / 2)]!;
        results.push({ ...mid, peakRssMb: Math.max(...mine.map((m) => m.peakRssMb)) });
      }
    }
  }
  const find = (runner: Runner, dtype: Dtype, n: number) =>
    results.find((r) => r.runner === runner && r.dtype === dtype && r.candidates === n);
  const lines = [
    `Cross-encoder rerank, ${absolute.split("/").slice(-1)[0]}, ${availableParallelism()} cores, ` +
      `${threads} threads for mem0-ts and bare ORT, median of ${runs} queries` +
      (rounds > 1 ? `, median of ${rounds} rounds` : ""),
    "",
    tableRow(
      "dtype",
      "candidates",
      "mem0ai ms",
      "mem0-ts ms",
      "bare ORT ms",
      "mem0ai pairs/s",
      "mem0-ts pairs/s",
      "bare ORT pairs/s",
      "mem0ai / mem0-ts",
      "mem0-ts / bare ORT",
      "CPU ms/query mem0ai · mem0-ts · ORT",
      "peak RSS mem0ai · mem0-ts · ORT",
    ),
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const dtype of dtypes) {
    for (const n of sizes) {
      const a = find("mem0ai", dtype, n);
      const o = find("mem0ts", dtype, n);
      const f = find("ort", dtype, n);
      const ms = (m?: Measurement) => (m ? m.medianMs.toFixed(0) : "—");
      const mb = (m?: Measurement) => (m ? `${m.peakRssMb.toFixed(0)} MB` : "—");
      const ratio = (x?: Measurement, y?: Measurement) => (x && y ? `${(x.medianMs / y.medianMs).toFixed(2)}×` : "—");
      const pps = (m?: Measurement) => (m ? m.pairsPerSecond.toFixed(0) : "—");
      const cpuMs = (m?: Measurement) => (m ? m.cpuMs.toFixed(0) : "—");
      lines.push(
        tableRow(
          dtype,
          n,
          ms(a),
          ms(o),
          ms(f),
          pps(a),
          pps(o),
          pps(f),
          ratio(a, o),
          ratio(o, f),
          `${cpuMs(a)} · ${cpuMs(o)} · ${cpuMs(f)}`,
          `${mb(a)} · ${mb(o)} · ${mb(f)}`,
        ),
      );
    }
  }
  console.log(lines.join("\n"));
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv.includes("--child")) {
  child().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if (isMain) {
  parent();
}
