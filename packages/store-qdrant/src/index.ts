/**
 * @mem0/store-qdrant — provider `qdrant`.
 *
 *   vector_store: { provider: "qdrant", config: { host: "localhost", port: 6333 } }
 *   vector_store: { provider: "qdrant", config: { url: "https://….cloud.qdrant.io", api_key: "…" } }
 */
import { defineVectorStore } from "@mem0/core";
import { createQdrantClient } from "./client.js";
import { qdrantConfigSchema, type QdrantConfig } from "./config.js";
import { QdrantVectorStore } from "./store.js";

export { INDEX_TYPES, qdrantConfigSchema, type IndexType, type QdrantConfig } from "./config.js";
export {
  translateFilter,
  type QdrantCondition,
  type QdrantFilter,
  type Relaxation,
  type TranslateOptions,
  type Translation,
} from "./filter.js";
export { dateKey, fieldKey, RESERVED_KEY } from "./paths.js";
export {
  decodePoint,
  dialectOf,
  encodePayload,
  historyPointId,
  pointId,
  PAYLOAD_VERSION,
  type Mem0Meta,
  type PayloadDialect,
} from "./payload.js";
export { QdrantHistory, QdrantVectorStore, type QdrantStoreOptions, type VectorLayout } from "./store.js";
export { Mem0HistoryFile, mergeHistories } from "./history-db.js";
export { migrate, sqliteSource, type MigrateOptions, type MigrateReport, type MigrationSource } from "./migrate.js";

/** Builds the store from a validated config (what `Memory.fromConfig` does for provider `qdrant`). */
export function createQdrantStore(
  config: QdrantConfig,
  options: {
    env?: Readonly<Record<string, string | undefined>>;
    embeddingDims?: number;
    path?: string;
    historyDbPath?: string;
  } = {},
): QdrantVectorStore {
  const { client, apiKey, timeoutMs } = createQdrantClient(config, {
    env: options.env ?? process.env,
    path: options.path,
  });
  return new QdrantVectorStore({
    client,
    collectionName: config.collection_name ?? "mem0",
    dims: config.embedding_model_dims ?? config.dimension ?? options.embeddingDims,
    onDisk: config.on_disk,
    onDiskPayload: config.on_disk_payload,
    indexedFields: config.indexed_fields,
    shardNumber: config.shard_number,
    replicationFactor: config.replication_factor,
    writeConsistencyFactor: config.write_consistency_factor,
    writeOrdering: config.write_ordering,
    exactSearch: config.exact_search,
    timeoutMs,
    retry: config.max_retries !== undefined ? { maxRetries: config.max_retries } : {},
    secrets: [apiKey],
    payloadDialect: config.payload_dialect,
    vectorName: config.vector_name,
    historyFile: options.historyDbPath,
  });
}

export const plugin = defineVectorStore({
  provider: "qdrant",
  configSchema: qdrantConfigSchema,
  ignoredKeys: { path: "Qdrant's local (embedded) mode exists only in Mem0 Python; the server at url/host is used" },
  create: (config, ctx) =>
    createQdrantStore(config, {
      env: ctx.env,
      embeddingDims: ctx.embeddingDims,
      path: ctx.path,
      historyDbPath: ctx.config.history_db_path,
    }),
});

// Types `provider: "qdrant"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface VectorStoreConfigs {
      qdrant: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
