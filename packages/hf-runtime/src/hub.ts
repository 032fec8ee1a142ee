/**
 * Where a model comes from (a local folder or a Hugging Face hub id), and getting a hub model's
 * files into the standard Hugging Face cache with @huggingface/hub, so that huggingface_hub, the
 * mem0-ts demo and these providers share one copy. transformers.js is only ever given a folder on
 * disk. An unreachable or hanging hub fails in seconds with an error naming the model and every
 * place that was looked in, instead of hanging a search.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { downloadFileToCacheDir, modelInfo, pathsInfo } from "@huggingface/hub";
import { env as transformersEnv, ModelRegistry } from "@huggingface/transformers";
import { errorMessage, ProviderError } from "@mem0/core";
import { hfCacheDir, repoCacheFolder, withQuietHubDownloads } from "@mem0/hf-hosted";
import { Agent, fetch as undiciFetch } from "undici";

/** A hub id as transformers.js accepts it: `name` or `owner/name`. */
const HUB_ID = /^([\w\-.]+\/)?[\w\-.]{1,96}$/;
const DEFAULT_HUB = "https://huggingface.co";
/** huggingface_hub's default for metadata requests; a hung hub fails after this long. */
export const DEFAULT_HUB_TIMEOUT_MS = 10_000;
/** huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT default: a download whose body stalls this long is abandoned. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10_000;

export interface ModelLocation {
  /** What the user configured, for messages. */
  requested: string;
  /** An absolute folder path, or a hub id. */
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
  const pathLike =
    isAbsolute(expanded) || /^\.\.?([\\/]|$)/.test(expanded) || expanded !== model || !HUB_ID.test(model);
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
  /** `HF_ENDPOINT`: a mirror or a private hub instead of huggingface.co (no trailing slash). */
  endpoint?: string;
  /** `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  cacheDir: string;
  /** How long to wait for a connection and a response's headers (`HF_HUB_ETAG_TIMEOUT`, seconds). */
  timeoutMs: number;
  /** How long a download's body may stall (`HF_HUB_DOWNLOAD_TIMEOUT`, seconds). */
  downloadTimeoutMs: number;
  /** `HF_TOKEN` / `HUGGING_FACE_HUB_TOKEN` (or the config's `api_key`): sent to the hub, for gated models. */
  token?: string;
}

type Env = Readonly<Record<string, string | undefined>>;
const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
const seconds = (v: string | undefined, fallbackMs: number) => (Number(v) > 0 ? Number(v) * 1000 : fallbackMs);

export function hubSettings(env: Env, localFilesOnly = false): HubSettings {
  const settings: HubSettings = {
    localFilesOnly: localFilesOnly || truthy(env.HF_HUB_OFFLINE) || truthy(env.TRANSFORMERS_OFFLINE),
    cacheDir: hfCacheDir(env),
    timeoutMs: seconds(env.HF_HUB_ETAG_TIMEOUT, DEFAULT_HUB_TIMEOUT_MS),
    downloadTimeoutMs: seconds(env.HF_HUB_DOWNLOAD_TIMEOUT, DEFAULT_DOWNLOAD_TIMEOUT_MS),
  };
  if (env.HF_ENDPOINT) settings.endpoint = env.HF_ENDPOINT.replace(/\/+$/, "");
  const token = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (token) settings.token = token;
  return settings;
}

export interface LoadContext {
  provider: string;
  location: ModelLocation;
  hub: HubSettings;
  /** e.g. `dtype q8` — what else identifies the files that were looked for. */
  variant: string;
}

/** The places a model's files are looked for, in order. */
export function placesLookedIn(location: ModelLocation, hub: HubSettings): string[] {
  if (location.isLocalFolder) return [`the local folder ${location.ref}`];
  const places = [`the Hugging Face cache ${repoCacheFolder(hub.cacheDir, location.ref)}`];
  if (!hub.localFilesOnly) places.push(`the hub ${hub.endpoint ?? DEFAULT_HUB}/${location.ref}`);
  return places;
}

/** A file the load needs that the hub's revision does not have: stays missing, so not retryable. */
class MissingFilesError extends Error {
  override name = "MissingFilesError";
}

/** Files transformers.js reads that a repo may lack (huggingface_hub records those in `.no_exist/`). */
const OPTIONAL = (file: string) =>
  !file.endsWith(".onnx") && !/\.onnx_data(_\d+)?$/.test(file) && file !== "config.json" && file !== "tokenizer.json";

/** What transformers.js will read for this model and dtype: config, ONNX file(s), tokenizer. */
async function filesToLoad(snapshot: string, dtype: string): Promise<string[]> {
  const config = JSON.parse(readFileSync(join(snapshot, "config.json"), "utf8"));
  const model = await ModelRegistry.get_model_files(snapshot, { config, dtype: dtype as never, device: "cpu" });
  return [...new Set([...model, "tokenizer.json", "tokenizer_config.json"])];
}

const cachedOrAbsent = (repo: string, commit: string, file: string) =>
  existsSync(join(repo, "snapshots", commit, file)) || existsSync(join(repo, ".no_exist", commit, file));

/** The cached snapshot that has every file the load needs: the one `refs/main` names first, else any. */
async function cachedSnapshot(repo: string, dtype: string): Promise<string | undefined> {
  const snapshots = existsSync(join(repo, "snapshots")) ? readdirSync(join(repo, "snapshots")) : [];
  const main = existsSync(join(repo, "refs", "main"))
    ? readFileSync(join(repo, "refs", "main"), "utf8").trim()
    : undefined;
  for (const commit of new Set([...(main ? [main] : []), ...snapshots])) {
    const snapshot = join(repo, "snapshots", commit);
    if (!existsSync(join(snapshot, "config.json"))) continue;
    const files = await filesToLoad(snapshot, dtype).catch(() => undefined);
    if (files?.every((f) => cachedOrAbsent(repo, commit, f))) return snapshot;
  }
  return undefined;
}

/**
 * Downloads into the cache, all at the commit `main` points to now (so every file lands in one
 * snapshot folder), the files this load needs; records the ones the repo lacks in `.no_exist/` and
 * points `refs/main` at the commit, as huggingface_hub does.
 */
async function download(id: string, hub: HubSettings, dtype: string): Promise<string> {
  // undici's timeouts are huggingface_hub's: connect and headers (etag), then body idle (download).
  const agent = new Agent({
    connectTimeout: hub.timeoutMs,
    headersTimeout: hub.timeoutMs,
    bodyTimeout: hub.downloadTimeoutMs,
  });
  const fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch;
  const remote = {
    repo: id,
    hubUrl: hub.endpoint ?? DEFAULT_HUB,
    fetch,
    ...(hub.token ? { accessToken: hub.token } : {}),
  };
  try {
    const { sha } = await modelInfo({ ...remote, name: id, revision: "main", additionalFields: ["sha"] });
    if (!sha) throw new Error(`the hub did not say which commit ${id}'s main branch is at`);
    const repo = repoCacheFolder(hub.cacheDir, id);
    const get = (path: string) => downloadFileToCacheDir({ ...remote, path, revision: sha, cacheDir: hub.cacheDir });
    const snapshot = dirname(await get("config.json"));
    const files = (await filesToLoad(snapshot, dtype)).filter((f) => !cachedOrAbsent(repo, sha, f));
    const onHub = new Set((await pathsInfo({ ...remote, paths: files, revision: sha })).map((info) => info.path));
    const missing = files.filter((f) => !onHub.has(f) && !OPTIONAL(f));
    if (missing.length)
      throw new MissingFilesError(`the hub has no ${missing.join(", ")} in ${id} at ${sha.slice(0, 12)}`);
    for (const file of files) {
      if (onHub.has(file)) await get(file);
      else writeCreatingFolder(join(repo, ".no_exist", sha, file), "");
    }
    writeCreatingFolder(join(repo, "refs", "main"), sha);
    return snapshot;
  } finally {
    await agent.destroy();
  }
}

function writeCreatingFolder(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const TIMEOUT_CODES: Record<string, (hub: HubSettings) => string> = {
  UND_ERR_CONNECT_TIMEOUT: (hub) => `no connection within ${hub.timeoutMs} ms (HF_HUB_ETAG_TIMEOUT)`,
  UND_ERR_HEADERS_TIMEOUT: (hub) => `no response within ${hub.timeoutMs} ms (HF_HUB_ETAG_TIMEOUT)`,
  UND_ERR_BODY_TIMEOUT: (hub) => `download stalled for ${hub.downloadTimeoutMs} ms (HF_HUB_DOWNLOAD_TIMEOUT)`,
};

function describeFailure(err: unknown, hub: HubSettings): string {
  const failure = err as { message?: string; cause?: { code?: string; message?: string } };
  const code = failure?.cause?.code;
  if (code && TIMEOUT_CODES[code]) return TIMEOUT_CODES[code](hub);
  const cause = code ?? failure?.cause?.message;
  const message = errorMessage(err).replace(/\.+$/, "");
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}

/** A missing file or a refused token stays so; a timeout, a refused connection or a 5xx/429 may pass. */
function isRetryable(err: unknown): boolean {
  if (err instanceof MissingFilesError || (err as Error)?.name === "ModelFileNotFoundError") return false;
  // @huggingface/hub refuses a malformed token before any request; a network TypeError has a cause.
  if (err instanceof TypeError && err.cause === undefined) return false;
  const status = (err as { statusCode?: number }).statusCode;
  return status === undefined || status === 429 || status >= 500;
}

function unavailable(ctx: LoadContext, err: unknown): ProviderError {
  const where = placesLookedIn(ctx.location, ctx.hub).join(", ");
  const offline =
    !ctx.location.isLocalFolder && ctx.hub.localFilesOnly
      ? " (local_files_only / HF_HUB_OFFLINE / transformers.js env.allowRemoteModels = false is set, " +
        "so the hub was not asked)"
      : "";
  // A PyTorch-only repo has config.json but no onnx/ folder; the Xenova ports carry the export.
  const name = ctx.location.requested.split("/").pop();
  const onnxHint =
    !ctx.location.isLocalFolder &&
    /onnx\/[^"\s,]*\.onnx/.test(errorMessage(err)) &&
    !ctx.location.requested.startsWith("Xenova/")
      ? `. transformers.js needs an ONNX export in the repo's onnx/ folder; Xenova/${name} may have one`
      : "";
  return new ProviderError(
    ctx.provider,
    `model ${JSON.stringify(ctx.location.requested)} (${ctx.variant}) could not be loaded: ` +
      `${describeFailure(err, ctx.hub)}. Looked in ${where}${offline}${onnxHint}`,
    { code: "MODEL_UNAVAILABLE", retryable: isRetryable(err), cause: err },
  );
}

/**
 * The folder transformers.js loads from: a local folder as is; for a hub id, the cache snapshot
 * holding every file this dtype needs — already there (then the hub is not asked, as with
 * transformers.js's own cache), or downloaded now unless local_files_only / HF_HUB_OFFLINE.
 */
export async function modelFolder(load: LoadContext & { dtype: string }): Promise<string> {
  if (load.location.isLocalFolder) return load.location.ref;
  // transformers.js users turn downloads off with env.allowRemoteModels; it still means that here.
  const ctx = transformersEnv.allowRemoteModels ? load : { ...load, hub: { ...load.hub, localFilesOnly: true } };
  const cached = await cachedSnapshot(repoCacheFolder(ctx.hub.cacheDir, ctx.location.ref), ctx.dtype);
  if (cached) return cached;
  if (ctx.hub.localFilesOnly)
    throw unavailable(ctx, new MissingFilesError(`its ${ctx.variant} files are not in the cache`));
  try {
    return await withQuietHubDownloads(() => download(ctx.location.ref, ctx.hub, ctx.dtype));
  } catch (err) {
    throw unavailable(ctx, err);
  }
}

/**
 * Runs a transformers.js load from a folder on disk, turning any failure into one ProviderError
 * (code MODEL_UNAVAILABLE) that names the model and where it was looked for.
 */
export async function loadFromFolder<T>(
  ctx: LoadContext,
  load: (options: { local_files_only: true }) => Promise<T>,
): Promise<T> {
  try {
    return await load({ local_files_only: true });
  } catch (err) {
    throw unavailable(ctx, err);
  }
}
