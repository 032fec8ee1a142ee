export * from "./errors.js";
export * from "./filters.js";
export * from "./types.js";
export * from "./vector.js";
export {
  fields,
  formatIssues,
  memoryConfigSchema,
  parseConfig,
  providerBlockSchema,
  providerConfigSchema,
  snakeCaseKeys,
  type MemoryConfig,
  type MemoryConfigInput,
  type ProviderBlock,
} from "./config.js";
export type { CamelCaseKeys, ConfigInput, KnownProvider, PluginConfig, ProviderConfigsByRole, ProviderRef, TypedMemoryConfig, TypedProviderBlock } from "./config-types.js";
export {
  BUILTIN_PACKAGES,
  defineEmbedder,
  defineLLM,
  defineReranker,
  defineVectorStore,
  registerProvider,
  resolvePlugin,
  type DefinedPlugin,
  type ProviderContext,
  type ProviderPlugin,
  type Role,
  type RoleInstances,
} from "./providers.js";
export { runReranker, search, scopeFilter, type MemoryItem, type RerankInfo, type SearchDeps, type SearchOptions, type SearchResponse, type SearchResult } from "./search.js";
export { AsyncMemory, DEFAULT_EMBEDDER, DEFAULT_VECTOR_STORE, Memory, type AddOptions, type AddResult, type GetAllOptions, type Message, type MemoryEmitter, type MemoryEvents } from "./memory.js";
export * from "./builtin/index.js";
export { DEFAULT_FACT_EXTRACTION_PROMPT, DEFAULT_UPDATE_MEMORY_PROMPT, LLMOutputError, decideChanges, extractFacts, type MemoryChange } from "./infer.js";
