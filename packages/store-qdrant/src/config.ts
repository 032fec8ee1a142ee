/**
 * The `vector_store.config` of provider `qdrant`: Mem0's keys (`host` + `port`, or `url` +
 * `api_key`, `collection_name`, `embedding_model_dims`, `on_disk`) plus what a cluster needs.
 */
import { fields, providerConfigSchema } from "@mem0/core";
import { z } from "zod";

/**
 * Payload index types for `indexed_fields`. Numbers are compared as doubles, so `integer` builds a
 * float index (a Qdrant integer index leaves non-integer values out of index-driven plans), and
 * `datetime` indexes the field's date shadow, which is what date comparisons read.
 */
export const INDEX_TYPES = ["keyword", "float", "integer", "bool", "datetime", "text"] as const;
export type IndexType = (typeof INDEX_TYPES)[number];

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(", ")}` });

export const qdrantConfigShape = {
  /** Full URL, e.g. `https://xyz.cloud.qdrant.io:6333`. Exclusive with `host`. */
  url: fields.url().optional(),
  host: fields.nonEmptyString().optional(),
  port: z
    .number({ error: "expected a port number" })
    .int({ error: "expected a port number" })
    .min(1, { error: "expected a port number" })
    .max(65535, { error: "expected a port number" })
    .optional(),
  https: z.boolean({ error: "expected a boolean" }).optional(),
  /** Falls back to QDRANT_API_KEY. */
  api_key: fields.apiKey().optional(),
  collection_name: fields.nonEmptyString().optional(),
  /** Defaults to the embedder's dimensions. */
  embedding_model_dims: fields.positiveInt().optional(),
  /** Keep vectors on disk (memory-mapped) rather than in RAM. */
  on_disk: z.boolean({ error: "expected a boolean" }).optional(),
  /** Keep payloads on disk. */
  on_disk_payload: z.boolean({ error: "expected a boolean" }).optional(),
  /** Per HTTP request. */
  timeout_ms: fields.positiveInt().optional(),
  /** Retries of 429 / 5xx / timeouts / resets (default 2). */
  max_retries: fields.nonNegativeInt().optional(),
  /** Payload indexes to create for metadata fields, e.g. `{ priority: "float", category: "keyword" }`. */
  indexed_fields: z
    .record(fields.nonEmptyString(), enumOf(INDEX_TYPES), { error: "expected an object of field → index type" })
    .optional(),
  /** Cluster mode, used when the collection is created. */
  shard_number: fields.positiveInt().optional(),
  replication_factor: fields.positiveInt().optional(),
  write_consistency_factor: fields.positiveInt().optional(),
  /** Qdrant's write ordering in a cluster (default weak). */
  write_ordering: enumOf(["weak", "medium", "strong"] as const).optional(),
  /** Exact (brute-force) search instead of HNSW: slower, no recall loss. */
  exact_search: z.boolean({ error: "expected a boolean" }).optional(),
  /**
   * Mem0 Python's embedded local mode; not available in JavaScript (accepted with a warning when
   * url/host is given).
   */
  path: z.unknown().optional(),
  /** The dense vector to use in a collection with several named vectors. */
  vector_name: z.string({ error: "expected a string" }).optional(),
  /**
   * Timestamp keys of new points: `python` (Mem0 Python's `created_at`) or `mem0ai` (`createdAt`).
   * Default: `mem0ai` when the collection already holds a point with `createdAt`, else `python`.
   */
  payload_dialect: enumOf(["python", "mem0ai"] as const).optional(),
  /** mem0ai's spelling of embedding_model_dims. */
  dimension: fields.positiveInt().optional(),
  /** mem0ai: a ready `QdrantClient` to use instead of url/host. */
  client: z
    .custom<object>(
      (v) =>
        typeof v === "object" && v !== null && typeof (v as { getCollection?: unknown }).getCollection === "function",
      { error: "expected a QdrantClient" },
    )
    .optional(),
};

export const qdrantConfigSchema = providerConfigSchema(qdrantConfigShape).superRefine((c, ctx) => {
  if (c.url !== undefined && c.host !== undefined)
    ctx.addIssue({ code: "custom", path: ["host"], message: "give either url or host (with port), not both" });
  if (c.url !== undefined && c.port !== undefined)
    ctx.addIssue({ code: "custom", path: ["port"], message: "the port belongs in url when url is given" });
  // Mem0 Python's default config carries a local `path` next to host/port; only a path alone (local
  // mode, which exists only in the Python client) is an error. With a server it is ignored, warned.
  if (c.path !== undefined && c.url === undefined && c.host === undefined && c.client === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["path"],
      message:
        "Qdrant's local (on-disk, in-process) mode exists only in the Python client; " +
        "run a Qdrant server and give url or host",
    });
  if (c.dimension !== undefined && c.embedding_model_dims !== undefined && c.dimension !== c.embedding_model_dims)
    ctx.addIssue({
      code: "custom",
      path: ["dimension"],
      message: "differs from embedding_model_dims; give one of them",
    });
  if (c.client !== undefined && (c.url !== undefined || c.host !== undefined || c.api_key !== undefined))
    ctx.addIssue({
      code: "custom",
      path: ["client"],
      message: "give either a ready client or url/host/api_key, not both",
    });
  if (c.host !== undefined && /^https?:\/\/|:\d+$/.test(c.host))
    ctx.addIssue({
      code: "custom",
      path: ["host"],
      message: "expected a bare host name; put a scheme or port in url instead",
    });
});

export type QdrantConfig = z.output<typeof qdrantConfigSchema>;
