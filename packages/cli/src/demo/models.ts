/**
 * Which models the demo runs: a local Hugging Face embedder and cross-encoder when their packages
 * are installed and their files are on disk or downloadable, otherwise the offline lexical
 * embedder and bm25 reranker. Every network step is bounded: a short probe before any download,
 * a time limit on each response's headers, an idle limit on each body.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ProviderBlock } from "@mem0/core";
import type { Io } from "../io.js";
import { startProgress } from "../progress.js";
import { loadProviderPackage } from "../providers.js";

export interface HfModel {
  id: string;
  provider: string;
  package: string;
}

export const HF_EMBEDDER: HfModel = { id: "Xenova/all-MiniLM-L6-v2", provider: "huggingface", package: "@mem0/embedder-huggingface" };
export const HF_RERANKER: HfModel = { id: "Xenova/ms-marco-MiniLM-L-6-v2", provider: "sentence_transformer", package: "@mem0/reranker-sentence-transformer" };
/** What transformers.js reads for a q8 model: small to download (~23 MB each), fast on a CPU. */
export const MODEL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"];
export const DTYPE = "q8";

export const OFFLINE_MODELS = {
  embedder: { provider: "lexical" } satisfies ProviderBlock,
  reranker: { provider: "bm25" } satisfies ProviderBlock,
};

export interface ModelChoice {
  kind: "local" | "offline";
  embedder: ProviderBlock;
  reranker: ProviderBlock;
  /** Why this choice, for the one line the demo prints. */
  reason: string;
}

export type Env = Readonly<Record<string, string | undefined>>;
const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export function modelsDir(env: Env): string {
  return env.MEM0_MODELS_DIR ?? join(env.MEM0_DIR ?? join(homedir(), ".mem0"), "models");
}

export function hubUrl(env: Env): string {
  return (env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
}

export const modelFolder = (dir: string, m: HfModel) => join(dir, ...m.id.split("/"));
export const hasModelFiles = (folder: string) => MODEL_FILES.every((f) => existsSync(join(folder, f)));

function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return e.message ?? "timed out";
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** One request with a deadline, to tell "reachable" from "not" before committing to a download. */
export async function probeHub(hub: string, model: HfModel, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const url = `${hub}/${model.id}/resolve/main/config.json`;
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    if (res.status >= 200 && res.status < 400) return { ok: true };
    return { ok: false, reason: `${hub} answered ${res.status} for ${model.id}` };
  } catch (err) {
    const reason = networkReason(err);
    return { ok: false, reason: `${hub} is unreachable (${/timeout|aborted/i.test(reason) ? `no answer within ${timeoutMs} ms` : reason})` };
  }
}

/**
 * Downloads a model's files into `folder` (each through a `.part` file renamed when complete, so
 * an interrupted download is never taken for a model), with a progress bar per file.
 */
export async function downloadModel(hub: string, model: HfModel, folder: string, io: Io, options: { headersTimeoutMs: number; idleTimeoutMs?: number }): Promise<void> {
  for (const file of MODEL_FILES) {
    const target = join(folder, file);
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    const controller = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const arm = (ms: number, why: string) => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error(why)), ms);
    };
    arm(options.headersTimeoutMs, `no answer within ${options.headersTimeoutMs} ms for ${model.id}/${file}`);
    const part = `${target}.part`;
    try {
      const res = await fetch(`${hub}/${model.id}/resolve/main/${file}`, { signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`${hub} answered ${res.status} for ${model.id}/${file}`);
      const total = Number(res.headers.get("content-length") ?? 0);
      const bar = startProgress(io, `downloading ${model.id}/${file}`, total || 1, "bytes");
      const idleMs = options.idleTimeoutMs ?? 30_000;
      arm(idleMs, `download of ${model.id}/${file} stalled for ${idleMs} ms`);
      const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
      body.on("data", (chunk: Buffer) => {
        arm(idleMs, `download of ${model.id}/${file} stalled for ${idleMs} ms`);
        if (total) bar.increment(chunk.length);
      });
      try {
        await pipeline(body, createWriteStream(part));
      } finally {
        bar.stop();
      }
      renameSync(part, target);
    } catch (err) {
      rmSync(part, { force: true });
      throw controller.signal.aborted ? controller.signal.reason : err;
    } finally {
      clearTimeout(idle);
    }
  }
}

export interface ChooseOptions {
  io: Io;
  env: Env;
  /** Never touch the network (also HF_HUB_OFFLINE=1). */
  offline?: boolean;
  /** The reachability probe's deadline (default 2 s). */
  probeTimeoutMs?: number;
}

const localBlocks = (dir: string): Pick<ModelChoice, "embedder" | "reranker"> => ({
  embedder: { provider: HF_EMBEDDER.provider, config: { model: modelFolder(dir, HF_EMBEDDER), dtype: DTYPE } },
  reranker: { provider: HF_RERANKER.provider, config: { model: modelFolder(dir, HF_RERANKER), dtype: DTYPE } },
});

const offline = (reason: string): ModelChoice => ({ kind: "offline", ...OFFLINE_MODELS, reason });

export async function chooseModels(options: ChooseOptions): Promise<ModelChoice> {
  for (const m of [HF_EMBEDDER, HF_RERANKER]) {
    const loaded = await loadProviderPackage(m.package);
    if (!loaded.ok) return offline(loaded.reason);
  }
  const dir = modelsDir(options.env);
  const models = [HF_EMBEDDER, HF_RERANKER];
  if (models.every((m) => hasModelFiles(modelFolder(dir, m)))) return { kind: "local", ...localBlocks(dir), reason: `model files found in ${dir}` };
  if (options.offline || truthy(options.env.HF_HUB_OFFLINE)) return offline(`the model files are not in ${dir} and ${options.offline ? "--offline" : "HF_HUB_OFFLINE"} is set`);
  const hub = hubUrl(options.env);
  const timeout = options.probeTimeoutMs ?? 2000;
  const probe = await probeHub(hub, HF_RERANKER, timeout);
  if (!probe.ok) return offline(`the model files are not in ${dir} and ${probe.reason}`);
  try {
    for (const m of models) await downloadModel(hub, m, modelFolder(dir, m), options.io, { headersTimeoutMs: Math.max(timeout, 5000) });
  } catch (err) {
    return offline(`downloading the models failed: ${networkReason(err)}`);
  }
  return { kind: "local", ...localBlocks(dir), reason: `downloaded to ${dir}` };
}

/** What the demo ended up running, after trying to load the local models. */
export interface LoadedModels {
  embedder: ProviderBlock;
  reranker: ProviderBlock;
  /** Set for each local model that was chosen but failed to load. */
  failed: { embedder?: string; reranker?: string };
}

/** The one line that says which models run and why. */
export function describeModels(choice: ModelChoice, loaded: LoadedModels): string {
  const embedderLocal = loaded.embedder.provider === HF_EMBEDDER.provider;
  const rerankerLocal = loaded.reranker.provider === HF_RERANKER.provider;
  if (embedderLocal && rerankerLocal) return `models: local — ${HF_EMBEDDER.id} embedder + ${HF_RERANKER.id} cross-encoder (${DTYPE}), ${choice.reason}`;
  if (!embedderLocal && !rerankerLocal) {
    const why = choice.kind === "offline" ? choice.reason : `the local models failed to load: ${loaded.failed.embedder ?? loaded.failed.reranker}`;
    return `models: offline — lexical embedder + bm25 reranker (keyword-level, no model files), because ${why}`;
  }
  return embedderLocal
    ? `models: ${HF_EMBEDDER.id} embedder (${DTYPE}, ${choice.reason}) + bm25 reranker, because the cross-encoder failed to load: ${loaded.failed.reranker}`
    : `models: lexical embedder + ${HF_RERANKER.id} cross-encoder (${DTYPE}, ${choice.reason}), because the embedder failed to load: ${loaded.failed.embedder}`;
}
