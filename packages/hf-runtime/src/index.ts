export {
  DEFAULT_CALL_OVERHEAD_TOKENS,
  lengthBuckets,
  paddedTokens,
  type BatchedCallOptions,
  type BatchPlanOptions,
} from "./batching.js";
export {
  ACTIVATIONS,
  acquireCrossEncoder,
  CrossEncoder,
  loadedCrossEncoderCount,
  relevance,
  type Activation,
  type ScoreOptions,
  type ScoreStats,
} from "./cross-encoder.js";
export {
  defaultThreads,
  DEVICES,
  knownCudaVerdict,
  resetCudaVerdict,
  type DeviceOption,
  type ResolvedDevice,
} from "./device.js";
export {
  encodePair,
  encodeSingle,
  longestFirst,
  probeTemplate,
  specialTokenCount,
  toBatchTensors,
  withSingleTokenType,
  type BatchTensors,
  type EncodedSequence,
  type Template,
} from "./encoding.js";
export {
  DEFAULT_DOWNLOAD_TIMEOUT_MS,
  DEFAULT_HUB_TIMEOUT_MS,
  hubSettings,
  locateModel,
  placesLookedIn,
  type HubSettings,
  type ModelLocation,
} from "./hub.js";
export { SharedModelCache, type Disposable, type Lease } from "./model-cache.js";
export {
  DTYPES,
  loadPretrained,
  modelKey,
  modelMaxLength,
  type Dtype,
  type LocalModelOptions,
  type ModelKind,
  type Pretrained,
} from "./pretrained.js";
export { SerialQueue } from "./serial-queue.js";
export {
  acquireTextEmbeddingModel,
  POOLINGS,
  TextEmbeddingModel,
  type EmbedOptions,
  type Pooling,
} from "./text-embedding-model.js";
export { LocalCrossEncoderReranker, type LocalRerankerOptions } from "./local-reranker.js";
// The pure-JavaScript parts live in @mem0/hf-hosted (no native code); re-exported for existing users.
export {
  checkLocalOrHosted,
  checkRerankInput,
  enumField,
  hfCacheDir,
  isBatchLimitError,
  localModelFields,
  localModelSettings,
  rankScores,
  repoCacheFolder,
  TEI_DEFAULT_MAX_BATCH,
  TeiClient,
  teiApiKey,
  type TeiCallOptions,
  type TeiClientOptions,
} from "@mem0/hf-hosted";
