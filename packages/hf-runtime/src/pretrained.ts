/**
 * Loading a tokenizer and an ONNX model through transformers.js, on the device the user asked for,
 * with onnxruntime's thread count set (it otherwise runs a session on one core).
 */
import {
  AutoConfig,
  AutoModel,
  AutoModelForSequenceClassification,
  AutoTokenizer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from "@huggingface/transformers";
import { errorMessage, ProviderError } from "@mem0/core";
import {
  cudaUnavailableMessage,
  defaultThreads,
  devicesToTry,
  knownCudaVerdict,
  rememberCudaVerdict,
  type DeviceOption,
  type ResolvedDevice,
} from "./device.js";
import { hubSettings, loadFromFolder, locateModel, modelFolder, type ModelLocation } from "./hub.js";

import type { Dtype } from "@mem0/hf-hosted";
export { DTYPES, type Dtype } from "@mem0/hf-hosted";

export interface LocalModelOptions {
  /** Provider name, for error messages. */
  provider: string;
  /** A hub id or a local folder. */
  model: string;
  dtype?: Dtype;
  device?: DeviceOption;
  /** onnxruntime intra-op threads; default all cores. */
  threads?: number;
  localFilesOnly?: boolean;
  /**
   * Where HF_HUB_OFFLINE, HF_ENDPOINT, HF_HOME/HF_HUB_CACHE, HF_TOKEN and the HF_HUB_*_TIMEOUTs are
   * read (default process.env).
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export type ModelKind = "sequence-classification" | "feature-extraction";

export interface Pretrained {
  location: ModelLocation;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  device: ResolvedDevice;
  dtype: Dtype;
  threads: number;
  /** The model's ONNX session input and output names. */
  inputNames: string[];
  outputNames: string[];
  config: Record<string, unknown>;
}

/** The key under which a loaded model is shared: everything that changes what gets loaded or how it runs. */
export function modelKey(kind: ModelKind, options: LocalModelOptions): string {
  const location = locateModel(options.model);
  const hub = hubSettings(options.env ?? process.env, options.localFilesOnly);
  return JSON.stringify([
    kind,
    location.ref,
    options.dtype ?? "fp32",
    options.device ?? "cpu",
    options.threads ?? defaultThreads(),
    hub.localFilesOnly,
    hub.endpoint ?? null,
    hub.cacheDir,
  ]);
}

/**
 * loadFromFolder wraps failures; the cause is onnxruntime's own message (e.g.
 * "AppendExecutionProvider_Cuda: Failed to load shared library").
 */
const rootCause = (err: unknown): unknown =>
  err instanceof ProviderError && err.cause !== undefined ? err.cause : err;
const isCudaFailure = (err: unknown) => /cuda|providers_shared/i.test(errorMessage(rootCause(err)));

export async function loadPretrained(kind: ModelKind, options: LocalModelOptions): Promise<Pretrained> {
  const location = locateModel(options.model);
  const hub = hubSettings(options.env ?? process.env, options.localFilesOnly);
  const dtype = options.dtype ?? "fp32";
  const threads = options.threads ?? defaultThreads();
  const requested = options.device ?? "cpu";
  const base = { provider: options.provider, location, hub };

  // A hub id's files are fetched into the Hugging Face cache first; transformers.js only reads a folder.
  const folder = await modelFolder({ ...base, variant: `dtype ${dtype}`, dtype });
  // config.json first: it is the one file every model has, so its absence is the clearest
  // "no such model" (transformers.js treats a missing tokenizer_config.json as optional and then
  // fails on it with a TypeError).
  const config = await loadFromFolder({ ...base, variant: "config.json" }, (o) =>
    AutoConfig.from_pretrained(folder, o),
  );
  const tokenizer = await loadFromFolder({ ...base, variant: "tokenizer" }, (o) =>
    AutoTokenizer.from_pretrained(folder, o),
  );
  const ModelClass = kind === "sequence-classification" ? AutoModelForSequenceClassification : AutoModel;

  let lastCudaError: unknown;
  const devices = devicesToTry(requested);
  const verdict = knownCudaVerdict();
  if (requested === "cuda" && verdict && !verdict.available) {
    throw new ProviderError(options.provider, cudaUnavailableMessage(verdict.reason), { code: "DEVICE_UNAVAILABLE" });
  }
  for (const device of devices) {
    const silentProbe = device === "cuda" && requested === "auto";
    try {
      const model = await loadFromFolder({ ...base, variant: `dtype ${dtype}, device ${device}` }, (o) =>
        ModelClass.from_pretrained(folder, {
          ...o,
          config,
          dtype,
          device,
          session_options: {
            intraOpNumThreads: threads,
            // One graph, run op after op: inter-op threads would only compete with the intra-op pool.
            interOpNumThreads: 1,
            executionMode: "sequential",
            graphOptimizationLevel: "all",
            // When `auto` probes for CUDA on a machine without it, onnxruntime's own error log is noise.
            ...(silentProbe ? { logSeverityLevel: 4 } : {}),
          },
        }),
      );
      if (device === "cuda" && knownCudaVerdict() === undefined) rememberCudaVerdict(true);
      const session = (model.sessions as Record<string, { inputNames: string[]; outputNames: string[] }>).model;
      if (!session)
        throw new ProviderError(
          options.provider,
          `model ${JSON.stringify(options.model)} has no ONNX session named "model"`,
          { code: "MODEL_UNSUPPORTED" },
        );
      return {
        location,
        tokenizer,
        model,
        device,
        dtype,
        threads,
        inputNames: [...session.inputNames],
        outputNames: [...session.outputNames],
        config: model.config as unknown as Record<string, unknown>,
      };
    } catch (err) {
      if (device !== "cuda" || !isCudaFailure(err)) throw err;
      lastCudaError = err;
      rememberCudaVerdict(false, errorMessage(rootCause(err)));
    }
  }
  throw new ProviderError(options.provider, cudaUnavailableMessage(errorMessage(rootCause(lastCudaError))), {
    code: "DEVICE_UNAVAILABLE",
    cause: lastCudaError,
  });
}

/**
 * The longest input the model accepts: tokenizer_config's `model_max_length` when it is real
 * (transformers writes 1e30 when unset), else the position table size (less RoBERTa's padding
 * offset, whose positions start at pad_token_id + 1).
 */
export function modelMaxLength(pretrained: Pretrained): number {
  const fromTokenizer = Number((pretrained.tokenizer as unknown as { model_max_length?: unknown }).model_max_length);
  if (Number.isFinite(fromTokenizer) && fromTokenizer > 0 && fromTokenizer < 1e6) return fromTokenizer;
  const positions = Number(pretrained.config.max_position_embeddings);
  if (!Number.isFinite(positions) || positions <= 0) return 512;
  const modelType = String(pretrained.config.model_type ?? "");
  return /roberta|xlm|camembert/.test(modelType)
    ? positions - Number(pretrained.config.pad_token_id ?? 1) - 1
    : positions;
}
