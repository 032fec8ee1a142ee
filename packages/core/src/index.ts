export * from "./errors.js";
export * from "./filters.js";
export { METADATA_LIMITS, metadataProblem, type MetadataProblem } from "./metadata.js";
export * from "./types.js";
export * from "./vector.js";
export { validateRanking, type RankingCheck } from "./ranking.js";
export {
  DEFAULT_RERANK_CONCURRENCY,
  HOSTED_RERANK_TIMEOUT_MS,
  planByCount,
  planByWeight,
  planRerankCalls,
  runReranker,
  type RunRerankerOptions,
} from "./rerank-runner.js";
export {
  fields,
  formatIssues,
  memoryConfigSchema,
  parseConfig,
  providerBlockSchema,
  providerConfigSchema,
  snakeCase,
  snakeCaseKeys,
  spellingConflicts,
  type MemoryConfig,
  type MemoryConfigInput,
  type PluginObject,
  type ProviderBlock,
} from "./config.js";
export type {
  CamelCaseKeys,
  ConfigInput,
  KnownProvider,
  PluginConfig,
  ProviderConfigsByRole,
  ProviderRef,
  TypedMemoryConfig,
  TypedProviderBlock,
} from "./config-types.js";
export {
  BUILTIN_PACKAGES,
  checkSpecificationVersion,
  SPECIFICATION_VERSION,
  defineEmbedder,
  defineLLM,
  defineReranker,
  defineVectorStore,
  contextAt,
  loadPluginPackage,
  registerProvider,
  resolvePlugin,
  type ConfigWarning,
  type DefinedPlugin,
  type PluginLookup,
  type PluginPackage,
  type ProviderContext,
  type ProviderPlugin,
  type Role,
  type RoleInstances,
} from "./providers.js";
export {
  CachedReranker,
  rerankCacheSchema,
  splitRerankCache,
  withRerankCache,
  type RerankCacheConfig,
} from "./rerank-cache.js";
export { scopeFilter } from "./options.js";
export { compareCreated, payloadField } from "./payload-fields.js";
export type { MemoryItem } from "./records.js";
export {
  rerankBudget,
  search,
  type RerankInfo,
  type SearchDeps,
  type SearchOptions,
  type SearchResponse,
  type SearchResult,
} from "./search.js";
export {
  AsyncMemory,
  DEFAULT_EMBEDDER,
  DEFAULT_EMBEDDER_WARNING,
  DEFAULT_VECTOR_STORE,
  Memory,
  type AddOptions,
  type AddResult,
  type GetAllOptions,
  type Message,
  type MemoryEmitter,
  type MemoryEvents,
} from "./memory.js";
export * from "./builtin/index.js";
export {
  DEFAULT_FACT_EXTRACTION_PROMPT,
  DEFAULT_UPDATE_MEMORY_PROMPT,
  LLMOutputError,
  decideChanges,
  extractFacts,
  type MemoryChange,
} from "./infer.js";
export { fromMem0Payload, MEM0_TIMESTAMP_KEYS, mem0DialectOf, type Mem0Dialect } from "./mem0-payload.js";
