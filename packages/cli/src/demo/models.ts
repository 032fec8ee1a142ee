/**
 * Which models the demo runs: a local Hugging Face embedder and cross-encoder when their packages
 * are installed and their files are in the Hugging Face cache or downloadable, otherwise the
 * offline lexical embedder and bm25 reranker. Downloads go through @huggingface/hub into the
 * standard cache (HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub), so other
 * Hugging Face tools share the files. Every network step is bounded: a short probe before any
 * download, a time limit on each response's headers, an idle limit on each body.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { downloadFileToCacheDir, modelInfo } from "@huggingface/hub";
import type { ProviderBlock } from "@mem0/core";
import { hfCacheDir, repoCacheFolder, withQuietHubDownloads } from "@mem0/hf-hosted";
import type { Io } from "../io.js";
import { startProgress, type Progress } from "../progress.js";
import { loadProviderPackage } from "../providers.js";

interface HfModel {
  id: string;
  provider: string;
  package: string;
}

export const HF_EMBEDDER: HfModel = {
  id: "Xenova/all-MiniLM-L6-v2",
  provider: "huggingface",
  package: "@mem0/embedder-huggingface",
};
export const HF_RERANKER: HfModel = {
  id: "Xenova/ms-marco-MiniLM-L-6-v2",
  provider: "sentence_transformer",
  package: "@mem0/reranker-sentence-transformer",
};
/** What transformers.js reads for a q8 model: small to download (~23 MB each), fast on a CPU. */
export const MODEL_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"];
const DTYPE = "q8";

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

function hubUrl(env: Env): string {
  return (env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
}

export const hasModelFiles = (folder: string) => MODEL_FILES.every((f) => existsSync(join(folder, f)));

/** The cached snapshot holding every file the demo needs: the one refs/main names, else any. */
export function cachedModelFolder(cache: string, hfModel: HfModel): string | undefined {
  const repo = repoCacheFolder(cache, hfModel.id);
  const snapshots = existsSync(join(repo, "snapshots")) ? readdirSync(join(repo, "snapshots")) : [];
  const ref = existsSync(join(repo, "refs", "main"))
    ? readFileSync(join(repo, "refs", "main"), "utf8").trim()
    : undefined;
  return [...(ref ? [ref] : []), ...snapshots].map((s) => join(repo, "snapshots", s)).find(hasModelFiles);
}

function networkReason(err: unknown): string {
  const failure = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure?.name === "TimeoutError" || failure?.name === "AbortError") return failure.message ?? "timed out";
  return failure?.cause?.code ?? failure?.cause?.message ?? failure?.message ?? String(err);
}

/** One request with a deadline, to tell "reachable" from "not" before committing to a download. */
export async function probeHub(
  hub: string,
  model: HfModel,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const url = `${hub}/${model.id}/resolve/main/config.json`;
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    if (res.status >= 200 && res.status < 400) return { ok: true };
    return { ok: false, reason: `${hub} answered ${res.status} for ${model.id}` };
  } catch (err) {
    const reason = networkReason(err);
    const why = /timeout|aborted/i.test(reason) ? `no answer within ${timeoutMs} ms` : reason;
    return { ok: false, reason: `${hub} is unreachable (${why})` };
  }
}

/**
 * The fetch @huggingface/hub is given (for these downloads only): a time limit on each response's
 * headers, an idle limit on its body, and the body's bytes counted for the progress bar.
 */
function boundedFetch(
  what: () => string,
  options: { headersTimeoutMs: number; idleTimeoutMs: number; onBytes: (n: number, total: number) => void },
): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController();
    let timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${options.headersTimeoutMs} ms for ${what()}`)),
      options.headersTimeoutMs,
    );
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    let res: Response;
    try {
      res = await fetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
    if (!res.body || (init?.method ?? "GET") !== "GET" || new Headers(init?.headers).get("range") === "bytes=0-0")
      return res;
    const total = Number(res.headers.get("content-length") ?? 0);
    const stalled = () => controller.abort(new Error(`download of ${what()} stalled for ${options.idleTimeoutMs} ms`));
    timer = setTimeout(stalled, options.idleTimeoutMs);
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          clearTimeout(timer);
          timer = setTimeout(stalled, options.idleTimeoutMs);
          options.onBytes(chunk.length, total);
          out.enqueue(chunk);
        },
        flush: () => clearTimeout(timer),
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * Downloads a model's files into the Hugging Face cache with @huggingface/hub (a file appears in
 * the snapshot only once complete), with a progress bar per file; returns the snapshot folder.
 */
export async function downloadModel(
  hub: string,
  model: HfModel,
  cache: string,
  io: Io,
  options: { headersTimeoutMs: number; idleTimeoutMs?: number },
): Promise<string> {
  // Download at the commit main is at now: asked for "main", @huggingface/hub files each file under
  // the last commit that changed it, which would scatter one model over several snapshot folders.
  let sha: string | undefined;
  try {
    const infoFetch = boundedFetch(() => `${model.id} (model info)`, {
      headersTimeoutMs: options.headersTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      onBytes: () => {},
    });
    ({ sha } = await modelInfo({
      name: model.id,
      hubUrl: hub,
      revision: "main",
      additionalFields: ["sha"],
      fetch: infoFetch,
    }));
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    throw status ? new Error(`${hub} answered ${status} for ${model.id}'s model info`) : err;
  }
  if (!sha) throw new Error(`${hub} did not say which commit ${model.id}'s main branch is at`);
  let snapshot = "";
  for (const file of MODEL_FILES) {
    let bar: Progress | undefined;
    const fetchFile = boundedFetch(() => `${model.id}/${file}`, {
      headersTimeoutMs: options.headersTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      onBytes: (n, total) => {
        bar ??= startProgress(io, `downloading ${model.id}/${file}`, total || 1, "bytes");
        if (total) bar.increment(n);
      },
    });
    try {
      // Quiet: stdout is for results; the progress bar on stderr says what the library's line would.
      const path = await withQuietHubDownloads(() =>
        downloadFileToCacheDir({
          repo: model.id,
          path: file,
          revision: sha,
          hubUrl: hub,
          cacheDir: cache,
          fetch: fetchFile,
        }),
      );
      snapshot = path.slice(0, -(file.length + 1));
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      throw status ? new Error(`${hub} answered ${status} for ${model.id}/${file}`) : err;
    } finally {
      bar?.stop();
    }
  }
  // What huggingface_hub writes too: the snapshot that `main` resolves to, for offline lookups.
  const repo = repoCacheFolder(cache, model.id);
  mkdirSync(join(repo, "refs"), { recursive: true });
  writeFileSync(join(repo, "refs", "main"), sha);
  return snapshot;
}

export interface ChooseOptions {
  io: Io;
  env: Env;
  /** Never touch the network (also HF_HUB_OFFLINE=1). */
  offline?: boolean;
  /** The reachability probe's deadline (default 2 s). */
  probeTimeoutMs?: number;
}

const localBlocks = (folders: Record<"embedder" | "reranker", string>): Pick<ModelChoice, "embedder" | "reranker"> => ({
  embedder: { provider: HF_EMBEDDER.provider, config: { model: folders.embedder, dtype: DTYPE } },
  reranker: { provider: HF_RERANKER.provider, config: { model: folders.reranker, dtype: DTYPE } },
});

const offline = (reason: string): ModelChoice => ({ kind: "offline", ...OFFLINE_MODELS, reason });

export async function chooseModels(options: ChooseOptions): Promise<ModelChoice> {
  for (const hfModel of [HF_EMBEDDER, HF_RERANKER]) {
    const loaded = await loadProviderPackage(hfModel.package);
    if (!loaded.ok) return offline(loaded.reason);
  }
  const cache = hfCacheDir(options.env);
  const cached = { embedder: cachedModelFolder(cache, HF_EMBEDDER), reranker: cachedModelFolder(cache, HF_RERANKER) };
  if (cached.embedder && cached.reranker)
    return {
      kind: "local",
      ...localBlocks({ embedder: cached.embedder, reranker: cached.reranker }),
      reason: `model files found in ${cache}`,
    };
  if (options.offline || truthy(options.env.HF_HUB_OFFLINE))
    return offline(
      `the model files are not in ${cache} and ${options.offline ? "--offline" : "HF_HUB_OFFLINE"} is set`,
    );
  const hub = hubUrl(options.env);
  const timeout = options.probeTimeoutMs ?? 2000;
  const probe = await probeHub(hub, HF_RERANKER, timeout);
  if (!probe.ok) return offline(`the model files are not in ${cache} and ${probe.reason}`);
  try {
    const headersTimeoutMs = Math.max(timeout, 5000);
    const embedder = await downloadModel(hub, HF_EMBEDDER, cache, options.io, { headersTimeoutMs });
    const reranker = await downloadModel(hub, HF_RERANKER, cache, options.io, { headersTimeoutMs });
    return { kind: "local", ...localBlocks({ embedder, reranker }), reason: `downloaded to ${cache}` };
  } catch (err) {
    return offline(`downloading the models failed: ${networkReason(err)}`);
  }
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
  if (embedderLocal && rerankerLocal) {
    const models = `${HF_EMBEDDER.id} embedder + ${HF_RERANKER.id} cross-encoder (${DTYPE})`;
    return `models: local — ${models}, ${choice.reason}`;
  }
  if (!embedderLocal && !rerankerLocal) {
    const why =
      choice.kind === "offline"
        ? choice.reason
        : `the local models failed to load: ${loaded.failed.embedder ?? loaded.failed.reranker}`;
    return `models: offline — lexical embedder + bm25 reranker (keyword-level, no model files), because ${why}`;
  }
  return embedderLocal
    ? `models: ${HF_EMBEDDER.id} embedder (${DTYPE}, ${choice.reason}) + bm25 reranker, ` +
        `because the cross-encoder failed to load: ${loaded.failed.reranker}`
    : `models: lexical embedder + ${HF_RERANKER.id} cross-encoder (${DTYPE}, ${choice.reason}), ` +
        `because the embedder failed to load: ${loaded.failed.embedder}`;
}
