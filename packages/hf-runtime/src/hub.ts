/**
 * Where a model comes from (a local folder or a Hugging Face hub id), and loading it so that an
 * unreachable or hanging hub fails in seconds with an error naming the model and every place that
 * was looked in, instead of hanging a search.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { env as transformersEnv } from "@huggingface/transformers";
import { errorMessage, ProviderError } from "@mem0/core";

/** A hub id as transformers.js accepts it: `name` or `owner/name`. */
const HUB_ID = /^([\w\-.]+\/)?[\w\-.]{1,96}$/;
const DEFAULT_HUB = "https://huggingface.co/";
/** huggingface_hub's default for metadata requests; a hung hub fails after this long. */
export const DEFAULT_HUB_TIMEOUT_MS = 10_000;

export interface ModelLocation {
  /** What the user configured, for messages. */
  requested: string;
  /** What transformers.js is given: an absolute folder path, or a hub id. */
  ref: string;
  isLocalFolder: boolean;
}

/**
 * A path-like string, or an existing folder with a config.json, is a local folder (as in
 * sentence-transformers, a folder on disk wins over a hub id of the same spelling); anything else
 * that is a valid hub id is a hub id.
 */
export function locateModel(model: string): ModelLocation {
  const expanded = model === "~" || model.startsWith("~/") ? join(homedir(), model.slice(1)) : model;
  const pathLike = isAbsolute(expanded) || /^\.\.?([\\/]|$)/.test(expanded) || expanded !== model || !HUB_ID.test(model);
  const absolute = resolve(expanded);
  if (pathLike || isModelFolder(absolute)) return { requested: model, ref: absolute, isLocalFolder: true };
  return { requested: model, ref: model, isLocalFolder: false };
}

function isModelFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, "config.json"));
  } catch {
    return false;
  }
}

/** Hub settings read from the provider's environment (the names huggingface_hub uses). */
export interface HubSettings {
  /** `HF_HUB_OFFLINE=1` / `TRANSFORMERS_OFFLINE=1`, or the config's `local_files_only`. */
  localFilesOnly: boolean;
  /** `HF_ENDPOINT`: a mirror or a private hub instead of huggingface.co. */
  endpoint?: string;
  /** How long to wait for a hub response's headers (`HF_HUB_ETAG_TIMEOUT`, seconds). */
  timeoutMs: number;
  /** `HF_TOKEN` / `HUGGING_FACE_HUB_TOKEN` (or the config's `api_key`): sent to the hub, for gated models. */
  token?: string;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export function hubSettings(env: Readonly<Record<string, string | undefined>>, localFilesOnly = false): HubSettings {
  const seconds = Number(env.HF_HUB_ETAG_TIMEOUT);
  const settings: HubSettings = {
    localFilesOnly: localFilesOnly || truthy(env.HF_HUB_OFFLINE) || truthy(env.TRANSFORMERS_OFFLINE),
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_HUB_TIMEOUT_MS,
  };
  if (env.HF_ENDPOINT) settings.endpoint = env.HF_ENDPOINT.endsWith("/") ? env.HF_ENDPOINT : `${env.HF_ENDPOINT}/`;
  const token = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (token) settings.token = token;
  return settings;
}

/**
 * transformers.js fetches through the global `env.fetch` with no timeout. Our loads run inside this
 * context; the wrapper below gives exactly those requests a time limit and the `HF_ENDPOINT`
 * rewrite, and leaves every other transformers.js user in the process untouched.
 */
const hubContext = new AsyncLocalStorage<HubSettings & { requests: string[] }>();
const WRAPPED = Symbol.for("@mem0/hf-runtime.fetch");

function installFetchWrapper(): void {
  const current = transformersEnv.fetch as typeof fetch & { [WRAPPED]?: true };
  if (current[WRAPPED]) return;
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const ctx = hubContext.getStore();
    if (!ctx) return current(input, init);
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const toHub = url.startsWith(transformersEnv.remoteHost);
    if (ctx.endpoint && toHub) url = ctx.endpoint + url.slice(transformersEnv.remoteHost.length);
    ctx.requests.push(url);
    if (ctx.token && toHub) {
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${ctx.token}`);
      init = { ...init, headers };
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`no response within ${ctx.timeoutMs} ms (HF_HUB_ETAG_TIMEOUT)`)),
      ctx.timeoutMs,
    );
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      // Only the wait for headers is limited: a large model's body may take minutes to download.
      return await current(url, { ...init, signal });
    } catch (err) {
      throw controller.signal.aborted ? controller.signal.reason : err;
    } finally {
      clearTimeout(timer);
    }
  };
  transformersEnv.fetch = Object.assign(wrapped, { [WRAPPED]: true as const });
}

export interface LoadContext {
  provider: string;
  location: ModelLocation;
  hub: HubSettings;
  /** e.g. `dtype q8` — what else identifies the files that were looked for. */
  variant: string;
}

/** The places a model's files are looked for, in the order transformers.js tries them. */
export function placesLookedIn(location: ModelLocation, hub: HubSettings): string[] {
  if (location.isLocalFolder) return [`the local folder ${location.ref}`];
  const places: string[] = [];
  if (transformersEnv.allowLocalModels) places.push(`the local model path ${join(transformersEnv.localModelPath, location.ref)}`);
  if (transformersEnv.useFSCache && transformersEnv.cacheDir) places.push(`the cache ${transformersEnv.cacheDir}`);
  if (!hub.localFilesOnly && transformersEnv.allowRemoteModels) {
    const host = hub.endpoint ?? (transformersEnv.remoteHost || DEFAULT_HUB);
    places.push(`the hub ${host}${location.ref}`);
  }
  return places;
}

function describeFailure(err: unknown, hub: HubSettings): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  let message = errorMessage(err).replace(/\.+$/, "");
  // transformers.js names the URL it built; the request really went to HF_ENDPOINT.
  if (hub.endpoint) message = message.split(transformersEnv.remoteHost).join(hub.endpoint);
  if (cause && !message.includes(cause)) message += ` (${cause})`;
  return message;
}

/**
 * Runs a transformers.js load with the hub settings applied, turning any failure into one
 * ProviderError (code MODEL_UNAVAILABLE) that names the model and where it was looked for.
 */
export async function loadFromHub<T>(ctx: LoadContext, load: (options: { local_files_only: boolean }) => Promise<T>): Promise<T> {
  installFetchWrapper();
  const store = { ...ctx.hub, requests: [] as string[] };
  const localFilesOnly = ctx.location.isLocalFolder || ctx.hub.localFilesOnly;
  try {
    return await hubContext.run(store, () => load({ local_files_only: localFilesOnly }));
  } catch (err) {
    const where = placesLookedIn(ctx.location, ctx.hub).join(", ");
    const offline = !ctx.location.isLocalFolder && ctx.hub.localFilesOnly ? " (local_files_only / HF_HUB_OFFLINE is set, so the hub was not asked)" : "";
    // A PyTorch-only repo has config.json but no onnx/ folder; the Xenova ports carry the export.
    const name = ctx.location.requested.split("/").pop();
    const onnxHint =
      !ctx.location.isLocalFolder && /onnx\/[^"]*\.onnx/.test(errorMessage(err)) && !ctx.location.requested.startsWith("Xenova/")
        ? `. transformers.js needs an ONNX export in the repo's onnx/ folder; Xenova/${name} may have one`
        : "";
    throw new ProviderError(
      ctx.provider,
      `model ${JSON.stringify(ctx.location.requested)} (${ctx.variant}) could not be loaded: ${describeFailure(err, ctx.hub)}. Looked in ${where}${offline}${onnxHint}`,
      // A missing file stays missing; a timeout or a refused connection may pass.
      { code: "MODEL_UNAVAILABLE", retryable: (err as Error)?.name !== "ModelFileNotFoundError", cause: err },
    );
  }
}
