/**
 * One Qdrant collection as the store sees it: created on first use or checked (vector size,
 * Cosine distance, which vector is ours: the layout), its payload indexes, and the point-level
 * reads and vector shaping every other part of the store builds on. The store's logic (CRUD,
 * history, erasure, migration) lives in the files named after it; this one knows collections.
 */
import { Mem0Error, ProviderError, vectorProblem, type Vector } from "@mem0/core";
import type { RetryPolicy, SecretLike } from "@mem0/provider-utils";
import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { callQdrant } from "./client.js";
import type { IndexType } from "./config.js";
import { DELETED_KEY, RESERVED_KEY, dateKey, fieldKey } from "./paths.js";
import { metaOf, type PayloadDialect } from "./payload.js";

/** Points per scroll page and per retrieve. */
export const PAGE = 256;

export interface QdrantStoreOptions {
  client: QdrantClient;
  collectionName: string;
  /** Vector size; when omitted, an existing collection's is used and a new one cannot be created. */
  dims?: number;
  onDisk?: boolean;
  onDiskPayload?: boolean;
  indexedFields?: Record<string, IndexType>;
  shardNumber?: number;
  replicationFactor?: number;
  writeConsistencyFactor?: number;
  writeOrdering?: "weak" | "medium" | "strong";
  exactSearch?: boolean;
  /** Per-request timeout the client enforces, reported in timeout errors. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Redacted from every error message. */
  secrets?: readonly SecretLike[];
  /**
   * Timestamp keys of new points: Mem0 Python's (`created_at`) or mem0ai's (`createdAt`). Default:
   * mem0ai's when the collection already holds a point with `createdAt`, else Python's.
   */
  payloadDialect?: PayloadDialect;
  /** The dense vector's name in a collection with several named vectors. */
  vectorName?: string;
  /** Mem0 Python's history.db (`history_db_path`): every event is also appended there, and read back. */
  historyFile?: string;
}

/**
 * How a collection holds its vectors. `dense` is the name of the one we write and query (undefined:
 * the collection's single unnamed vector); `others` says whether points carry vectors we do not
 * manage (mem0ai's `bm25` sparse slot, other named vectors), which a write must leave as they are.
 */
export interface VectorLayout {
  dense: string | undefined;
  others: boolean;
  sparse: string[];
}

export type Point = { id: string | number; payload?: Record<string, unknown> | null; vector?: unknown; score?: number };

export class QdrantCollection {
  readonly name: string;
  // The client and the options hold the API key: #private, so logging the store never prints it.
  readonly #options: QdrantStoreOptions;
  get options(): QdrantStoreOptions {
    return this.#options;
  }
  get client(): QdrantClient {
    return this.#options.client;
  }
  /** The vector size in use (known after first use when it came from the collection). */
  dims: number | undefined;
  /** Fields with a full-text index, which `contains` can use natively. */
  textIndexed = new Set<string>();
  layout: VectorLayout = { dense: undefined, others: false, sparse: [] };
  private dialect: PayloadDialect | undefined;
  private initializing: Promise<void> | undefined;

  constructor(options: QdrantStoreOptions) {
    this.#options = options;
    this.name = options.collectionName;
    this.dims = options.dims;
  }

  call<T>(request: () => Promise<T>): Promise<T> {
    return callQdrant(request, this.options);
  }

  get writeArgs() {
    return { wait: true, ...(this.options.writeOrdering ? { ordering: this.options.writeOrdering } : {}) };
  }

  /** Creates or checks the collection and its indexes, once; a failure is retried on the next call. */
  ready(): Promise<void> {
    this.initializing ??= this.init().catch((err) => {
      this.initializing = undefined;
      throw err;
    });
    return this.initializing;
  }

  /** After the collection was dropped: the next call creates it afresh. */
  forget(): void {
    this.initializing = undefined;
    this.textIndexed = new Set();
  }

  private async init(): Promise<void> {
    const name = this.name;
    const { exists } = await this.call(() => this.client.collectionExists(name));
    if (!exists) await this.create();
    const info = await this.call(() => this.client.getCollection(name));
    const params = this.detectLayout(info.config?.params);
    if (this.dims !== undefined && params.size !== this.dims) {
      throw new Mem0Error(
        "QDRANT_COLLECTION_MISMATCH",
        `qdrant: collection "${name}" holds ${params.size}-dimensional vectors but the embedder makes ` +
          `${this.dims}-dimensional ones; use another collection_name or re-create the collection`,
      );
    }
    if (params.distance !== "Cosine") {
      throw new Mem0Error(
        "QDRANT_COLLECTION_MISMATCH",
        `qdrant: collection "${name}" uses ${params.distance} distance; mem0 scores are cosine similarities, ` +
          "so it needs a Cosine collection",
      );
    }
    this.dims = params.size;
    const schema = (info.payload_schema ?? {}) as Record<string, Schemas["PayloadIndexInfo"]>;
    for (const [key, index] of Object.entries(schema)) {
      if (index.data_type === "text") this.textIndexed.add(unquote(key));
    }
    for (const [field_name, field_schema] of this.wantedIndexes()) {
      const type = typeof field_schema === "string" ? field_schema : field_schema.type;
      if (schema[field_name]?.data_type === type) continue;
      await this.call(() => this.client.createPayloadIndex(name, { ...this.writeArgs, field_name, field_schema }));
      if (type === "text") this.textIndexed.add(unquote(field_name));
    }
  }

  private async create(): Promise<void> {
    const { options, name } = this;
    const dims = this.dims;
    if (dims === undefined) {
      throw new Mem0Error(
        "CONFIG_INVALID",
        `qdrant: collection "${name}" does not exist and its vector size is unknown; ` +
          "set vector_store.config.embedding_model_dims or configure an embedder",
      );
    }
    try {
      await this.call(() =>
        this.client.createCollection(name, {
          vectors: {
            size: dims,
            distance: "Cosine",
            ...(options.onDisk !== undefined ? { on_disk: options.onDisk } : {}),
          },
          ...(options.onDiskPayload !== undefined ? { on_disk_payload: options.onDiskPayload } : {}),
          ...(options.shardNumber !== undefined ? { shard_number: options.shardNumber } : {}),
          ...(options.replicationFactor !== undefined ? { replication_factor: options.replicationFactor } : {}),
          ...(options.writeConsistencyFactor !== undefined
            ? { write_consistency_factor: options.writeConsistencyFactor }
            : {}),
        }),
      );
    } catch (err) {
      // Another process may have created it between the check and the create; init's checks decide.
      const alreadyThere =
        err instanceof ProviderError &&
        (err.status === 409 || (err.status === 400 && /already exists/i.test(err.message)));
      if (!alreadyThere) throw err;
    }
  }

  /**
   * Reads the vector layout from the collection info: one unnamed vector (Mem0 Python, this
   * project), an unnamed vector beside mem0ai's `bm25` sparse slot, or named vectors (the one
   * `vector_name` names, or the only dense one).
   */
  private detectLayout(params: Schemas["CollectionParams"] | undefined): Schemas["VectorParams"] {
    const vectors = params?.vectors as Schemas["VectorParams"] | Record<string, Schemas["VectorParams"]> | undefined;
    const sparse = Object.keys((params?.sparse_vectors ?? {}) as Record<string, unknown>);
    const vectorName = this.options.vectorName;
    let dense: string | undefined;
    let chosen: Schemas["VectorParams"] | undefined;
    let named: string[] = [];
    if (vectors && typeof (vectors as Schemas["VectorParams"]).size === "number") {
      chosen = vectors as Schemas["VectorParams"];
      if (vectorName !== undefined && vectorName !== "") {
        throw new Mem0Error(
          "QDRANT_COLLECTION_MISMATCH",
          `qdrant: collection "${this.name}" has one unnamed vector, not "${vectorName}"; drop vector_name`,
        );
      }
    } else {
      const byName = (vectors ?? {}) as Record<string, Schemas["VectorParams"]>;
      named = Object.keys(byName);
      const wanted = vectorName ?? (named.length === 1 ? named[0] : undefined);
      if (wanted === undefined || !byName[wanted]) {
        const what =
          named.length === 0 ? "no dense vector" : `named vectors ${named.map((n) => JSON.stringify(n)).join(", ")}`;
        throw new Mem0Error(
          "QDRANT_COLLECTION_MISMATCH",
          `qdrant: collection "${this.name}" has ${what}; set vector_store.config.vector_name to the dense vector ` +
            "mem0 should use",
        );
      }
      dense = wanted;
      chosen = byName[wanted];
    }
    this.layout = { dense, others: sparse.length > 0 || named.length > 1, sparse };
    this.dialect = this.options.payloadDialect;
    return chosen!;
  }

  private wantedIndexes(): [string, Schemas["PayloadFieldSchema"]][] {
    const out: [string, Schemas["PayloadFieldSchema"]][] = [
      // Every query carries a user_id condition in its top-level must; the tenant index keeps each
      // user's points together on disk and lets the planner start from them.
      ["user_id", { type: "keyword", is_tenant: true }],
      ["agent_id", "keyword"],
      ["run_id", "keyword"],
      [DELETED_KEY, "bool"],
    ];
    for (const [field, type] of Object.entries(this.options.indexedFields ?? {})) {
      const key = type === "datetime" ? dateKey(field) : fieldKey(field);
      if (key === undefined)
        throw new Mem0Error(
          "CONFIG_INVALID",
          `qdrant: indexed_fields.${field}: this field name cannot be written as a Qdrant key (it holds " or \\)`,
        );
      out.push([key, type === "integer" || type === "datetime" ? "float" : type]);
    }
    return out;
  }

  /**
   * The timestamp keys new points get: the configured dialect, else that of a point already in the
   * collection (Mem0 Python and mem0ai both create the same layout, so only their payloads tell them
   * apart), else Python's. Asked once, on the first insert.
   */
  async newPointDialect(): Promise<PayloadDialect> {
    if (this.dialect === undefined) {
      const page = await this.call(() =>
        this.client.scroll(this.name, {
          limit: 1,
          with_payload: ["created_at", "createdAt"],
          with_vector: false,
          filter: { must_not: [{ is_empty: { key: "createdAt" } }] },
        }),
      );
      this.dialect = page.points.length > 0 ? "mem0ai" : "python";
    }
    return this.dialect;
  }

  /** A point's vector as the layout wants it: the bare array, or keyed by the dense vector's name. */
  pointVector(vector: number[]): Schemas["VectorStruct"] {
    return this.layout.dense === undefined ? vector : { [this.layout.dense]: vector };
  }

  /** A valid vector for points no query returns (tombstones). */
  placeholderVector(): Schemas["VectorStruct"] {
    return this.pointVector(Array.from({ length: this.dims! }, (_, i) => (i === 0 ? 1 : 0)));
  }

  checkVector(vector: Vector, id: string): number[] {
    const problem = vectorProblem(vector, this.dims);
    if (problem) throw new Mem0Error("INVALID_VECTOR", `qdrant store: ${id}: ${problem}`);
    return Array.from(vector);
  }

  async retrieve(
    ids: string[],
    withPayload: Schemas["WithPayloadInterface"],
    withVector = false,
  ): Promise<Map<string, Point>> {
    const out = new Map<string, Point>();
    for (let start = 0; start < ids.length; start += PAGE) {
      const slice = ids.slice(start, start + PAGE);
      const points = await this.call(() =>
        this.client.retrieve(this.name, { ids: slice, with_payload: withPayload, with_vector: withVector }),
      );
      for (const point of points) out.set(String(point.id), point as Point);
    }
    return out;
  }

  /** Every point matching the native filter, page by page. */
  async *scrollAll(filter: Schemas["Filter"], withPayload: Schemas["WithPayloadInterface"]): AsyncGenerator<Point> {
    let offset: Schemas["ExtendedPointId"] | undefined;
    for (;;) {
      const page = await this.call(() =>
        this.client.scroll(this.name, {
          filter,
          limit: PAGE,
          with_payload: withPayload,
          with_vector: false,
          ...(offset !== undefined ? { offset } : {}),
        }),
      );
      for (const point of page.points) yield point as Point;
      const next = page.next_page_offset;
      if (next === undefined || next === null) return;
      offset = next as Schemas["ExtendedPointId"];
    }
  }

  /** Reads back `_mem0.w` to learn whether our write (identified by its nonce) is the one stored. */
  async written(pids: string[], nonce: string): Promise<Set<string>> {
    const points = await this.retrieve(pids, [`${RESERVED_KEY}.w`]);
    return new Set(
      [...points.values()].filter((point) => metaOf(point.payload).w === nonce).map((point) => String(point.id)),
    );
  }
}

/** A payload-schema key back to the field name it indexes (`"a.b"` → a.b). */
function unquote(key: string): string {
  return key.startsWith('"') && key.endsWith('"') ? key.slice(1, -1) : key;
}
