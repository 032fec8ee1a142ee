/**
 * @mem0/store-sqlite: the `sqlite` vector store, mem0-ts's default. One file holds the memories,
 * their vectors and their history; see README.md for the file format and the durability promises.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { defineVectorStore, fields, providerConfigSchema } from "@mem0/core";
import { SqliteVectorStore } from "./store.js";

export { SqliteVectorStore } from "./store.js";
export { SqliteHistory } from "./history.js";
export type { SqliteStoreOptions } from "./options.js";
export { SqliteStoreError } from "./errors.js";
export { filterToSql } from "./filter-sql.js";
export { SCHEMA_VERSION } from "./schema.js";

/** `$MEM0_DIR/mem0.db`, else `~/.mem0/mem0.db`. */
export function defaultPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.MEM0_DIR ? join(env.MEM0_DIR, "mem0.db") : join(homedir(), ".mem0", "mem0.db");
}

export const configSchema = providerConfigSchema({
  path: fields.nonEmptyString().optional(),
  collection_name: fields.nonEmptyString().optional(),
  embedding_model_dims: fields.positiveInt().optional(),
  busy_timeout_ms: fields.nonNegativeInt().optional(),
  synchronous: z.enum(["normal", "full"], { error: 'expected "normal" or "full"' }).optional(),
  mmap_size_mb: fields.nonNegativeInt().optional(),
  background_checkpoint: z.boolean({ error: "expected true or false" }).optional(),
  search_cache_mb: fields.nonNegativeInt().optional(),
});

export const plugin = defineVectorStore({
  provider: "sqlite",
  configSchema,
  create(config, ctx) {
    const path = config.path ?? defaultPath(ctx.env);
    // history_db_path (top level, as in Mem0) defaults to this very file; only a different file is attached.
    const history = ctx.config.history_db_path;
    const separate = history !== undefined && path !== ":memory:" && resolve(history) !== resolve(path);
    return SqliteVectorStore.open({
      path,
      private_files: config.path === undefined,
      collection_name: config.collection_name,
      embedding_model_dims: config.embedding_model_dims ?? ctx.embeddingDims,
      busy_timeout_ms: config.busy_timeout_ms,
      synchronous: config.synchronous,
      mmap_size_mb: config.mmap_size_mb,
      background_checkpoint: config.background_checkpoint,
      search_cache_mb: config.search_cache_mb,
      history_path: separate ? history : undefined,
    });
  },
});

// Types `provider: "sqlite"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface VectorStoreConfigs {
      sqlite: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
