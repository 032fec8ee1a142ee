/**
 * `Memory`: Mem0's API on top of the provider contracts. Writes validate everything before they
 * touch a store, and each write commits its history event with it (or, for stores without their
 * own history, right after it).
 */
import { createHash, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { z } from "zod";
import {
  fields,
  formatIssues,
  memoryConfigSchema,
  providerBlockSchema,
  snakeCaseKeys,
  type MemoryConfig,
  type ProviderBlock,
} from "./config.js";
import type { ProviderRef, TypedMemoryConfig } from "./config-types.js";
import { ConfigError, NotFoundError, ValidationError } from "./errors.js";
import type { Filters } from "./filters.js";
import { InMemoryHistory, lexicalEmbedderPlugin, memoryStorePlugin } from "./builtin/index.js";
import {
  contextAt,
  createContext,
  prepareProvider,
  registerProvider,
  type ConfigWarning,
  type PreparedProvider,
  type ProviderContext,
  type Role,
  type RoleInstances,
} from "./providers.js";
import { parseOptions, requireScope, resultCount, scopeFilter, scopedReadFilter, scopeShape } from "./options.js";
import { toMemoryItem, type MemoryItem } from "./records.js";
import { search, type SearchOptions, type SearchResponse } from "./search.js";
import { decideChanges, extractFacts, type MemoryChange } from "./infer.js";
import { metadataProblem } from "./metadata.js";
import {
  RECORD_FIELDS,
  SCOPE_KEYS,
  type ApplyOptions,
  type ApplyResult,
  type StoreChange,
  type Embedder,
  type HistoryEvent,
  type HistoryStore,
  type LLM,
  type MemoryPayload,
  type Reranker,
  type Scope,
  type StoredMemory,
  type Vector,
  type VectorStore,
} from "./types.js";
import { splitRerankCache, withRerankCache } from "./rerank-cache.js";

export type Message = { role: "system" | "user" | "assistant"; content: string; name?: string };

export interface AddOptions extends Scope {
  metadata?: Record<string, unknown>;
  /** Extract facts with the LLM (default when an LLM is configured) or store messages as given. */
  infer?: boolean;
}

export interface AddResult {
  results: { id: string; memory: string; event: "ADD" | "UPDATE" | "DELETE" | "NONE"; previous_memory?: string }[];
  /**
   * Inferred changes not applied because their target memory was deleted meanwhile (by another
   * call while the LLM was deciding). Present only when there are some.
   */
  skipped?: { id: string; event: "UPDATE" | "DELETE"; reason: "not found" }[];
}

export interface GetAllOptions extends Scope {
  filters?: Filters;
  limit?: number;
  /** mem0ai's name for `limit` (also `topK`). */
  top_k?: number;
}

export interface MemoryEvents {
  "rerank:error": [{ query: string; provider: string; error: Error }];
  search: [{ query: string; response: SearchResponse }];
  /**
   * Something the caller should know but that is not an error, once per Memory, after creation: a
   * default chosen for them (`DEFAULT_EMBEDDER`), a documented Mem0 key that has no effect here
   * (`IGNORED_KEY`, with the key).
   */
  warning: [ConfigWarning];
}

type Listener<K extends keyof MemoryEvents> = (...args: MemoryEvents[K]) => void;
/**
 * Memory's event methods (Node's EventEmitter at run time), typed here so that Memory's public
 * declarations do not reference `node:events`: apps without @types/node type-check.
 */
export interface MemoryEmitter {
  on<K extends keyof MemoryEvents>(event: K, listener: Listener<K>): this;
  once<K extends keyof MemoryEvents>(event: K, listener: Listener<K>): this;
  off<K extends keyof MemoryEvents>(event: K, listener: Listener<K>): this;
  addListener<K extends keyof MemoryEvents>(event: K, listener: Listener<K>): this;
  removeListener<K extends keyof MemoryEvents>(event: K, listener: Listener<K>): this;
  removeAllListeners(event?: keyof MemoryEvents): this;
  emit<K extends keyof MemoryEvents>(event: K, ...args: MemoryEvents[K]): boolean;
  listenerCount(event: keyof MemoryEvents): number;
}
const MemoryEventEmitter = EventEmitter as unknown as new () => MemoryEmitter;

/**
 * Default vector store and embedder when the config names none: the embedded SQLite store
 * (`@mem0/store-sqlite`, a file under `$MEM0_DIR` or `~/.mem0`; core names the package to install
 * when it is missing) and the offline lexical embedder.
 */
export const DEFAULT_VECTOR_STORE: ProviderBlock = { provider: "sqlite" };
export const DEFAULT_EMBEDDER: ProviderBlock = { provider: "lexical" };
export const DEFAULT_EMBEDDER_WARNING =
  'no embedder configured, so the keyword-level "lexical" embedder is used; for semantic search configure one, ' +
  'e.g. embedder: { provider: "openai", config: { model: "text-embedding-3-small" } } or { provider: "huggingface" }';

const reserved = new Set<string>(RECORD_FIELDS);
/** JSON values within METADATA_LIMITS, no reserved key: checked before anything else touches it. */
const metadataSchema = z.unknown().transform((m, ctx) => {
  const problem = metadataProblem(m);
  if (problem) {
    ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    return z.NEVER;
  }
  const key = Object.keys(m as object).find((k) => reserved.has(k));
  if (key !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `is reserved for the record itself; choose another metadata key`,
    });
    return z.NEVER;
  }
  return m as Record<string, unknown>;
});
const addOptionsSchema = z.strictObject({
  ...scopeShape,
  metadata: metadataSchema.optional(),
  infer: z.boolean({ error: "expected a boolean" }).optional(),
});
const getAllOptionsSchema = z.strictObject({
  ...scopeShape,
  filters: z.unknown().optional(),
  limit: fields.resultCount().optional(),
  top_k: fields.resultCount().optional(),
});
const deleteAllOptionsSchema = z.strictObject(scopeShape);
/** The optional scope of get / update / delete / history by id. */
const idScopeSchema = z.strictObject(scopeShape);
const messageSchema = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
  name: z.string().optional(),
});

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
let lastMicros = 0;
/**
 * ISO timestamps with microseconds (as Mem0's Python writes), strictly increasing within the
 * process, so "oldest first" is the order in which memories were written.
 */
function now(): string {
  lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
  const micros = String(lastMicros % 1000).padStart(3, "0");
  return new Date(Math.floor(lastMicros / 1000)).toISOString().replace("Z", `${micros}Z`);
}

/** The provider blocks of a config whose top level failed validation, each only if well formed. */
function blocksOf(config: unknown): Partial<Record<Role, ProviderBlock>> {
  const raw = snakeCaseKeys(config) as Record<string, unknown> | null;
  const out: Partial<Record<Role, ProviderBlock>> = {};
  for (const role of ["vector_store", "embedder", "llm", "reranker"] as const) {
    const block = providerBlockSchema.safeParse(raw?.[role]);
    if (block.success && raw?.[role] !== undefined) out[role] = block.data;
  }
  return out;
}

/** Top-level Mem0 keys that are accepted but mean nothing here. */
function topLevelWarnings(config: MemoryConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  if (config.version !== undefined)
    out.push({
      code: "IGNORED_KEY",
      key: "version",
      message: "version has no effect: mem0-ts has one API (Mem0's v1.1 output shape)",
    });
  if (config.history_store?.provider === "memory")
    out.push({
      code: "IGNORED_KEY",
      key: "history_store",
      message: "history_store has no effect: the vector store keeps history (set disable_history to keep none)",
    });
  if (config.embedder === undefined)
    out.push({ code: "DEFAULT_EMBEDDER", key: "embedder", message: DEFAULT_EMBEDDER_WARNING });
  return out;
}

/** The same change with no history event (`disable_history`). */
function withoutHistory(change: StoreChange): StoreChange {
  if (change.op === "update") return { ...change, next: (cur) => ({ payload: change.next(cur).payload }) };
  const { history: _dropped, ...rest } = change;
  return rest;
}

/** Whether `payload` belongs to every scope id given in `scope`. */
function inScope(payload: MemoryPayload, scope: Scope | undefined): boolean {
  return scope === undefined || SCOPE_KEYS.every((k) => scope[k] === undefined || payload[k] === scope[k]);
}

function historyEvent(
  memoryId: string,
  event: HistoryEvent["event"],
  oldMemory: string | null,
  newMemory: string | null,
  at: string,
  id = randomUUID(),
): HistoryEvent {
  return {
    id,
    memory_id: memoryId,
    event,
    old_memory: oldMemory,
    new_memory: newMemory,
    created_at: at,
    updated_at: event === "ADD" ? null : at,
    is_deleted: event === "DELETE",
  };
}

const BUILT: unique symbol = Symbol("mem0.Memory.built");
interface BuiltParts {
  config: MemoryConfig;
  warnings: ConfigWarning[];
  vectorStore: VectorStore;
  embedder: Embedder;
  reranker: Reranker | undefined;
  llm: LLM | undefined;
}
/** The methods that need the providers; on `new Memory(config)` they wait for them first. */
const LAZY_METHODS = [
  "add",
  "search",
  "get",
  "getAll",
  "update",
  "delete",
  "deleteAll",
  "history",
  "reset",
  "close",
] as const;

export class Memory extends MemoryEventEmitter {
  private historyStore!: HistoryStore;
  /** History events go into the store's own transaction when the store keeps history. */
  private atomicHistory!: boolean;

  readonly config!: MemoryConfig;
  readonly vectorStore!: VectorStore;
  readonly embedder!: Embedder;
  readonly reranker!: Reranker | undefined;
  readonly llm!: LLM | undefined;
  /**
   * Documented Mem0 keys of the config that have no effect here, and defaults chosen; each is also
   * a `warning` event.
   */
  readonly warnings: readonly ConfigWarning[] = [];

  /**
   * `new Memory(config)`, as mem0ai's users write it: the top level of the config is validated now
   * (a ConfigError is thrown synchronously); the providers are resolved, validated and created on the
   * first call, which rejects with the ConfigError of a bad provider block. `await Memory.fromConfig`
   * validates everything before it returns.
   */
  constructor(config?: TypedMemoryConfig, options?: { env?: Record<string, string | undefined> });
  /** @internal what fromConfig builds, every provider created. */
  constructor(token: typeof BUILT, parts: BuiltParts);
  constructor(
    config: TypedMemoryConfig | typeof BUILT = {},
    parts?: BuiltParts | { env?: Record<string, string | undefined> },
  ) {
    super();
    if (config === BUILT) {
      this.adopt(parts as BuiltParts);
      return;
    }
    const top = memoryConfigSchema.safeParse(config);
    if (!top.success) throw new ConfigError(formatIssues(top.error, ""));
    const options = (parts ?? {}) as { env?: Record<string, string | undefined> };
    let building: Promise<void> | undefined;
    const build = () =>
      (building ??= Memory.fromConfig(config, options).then(
        (built) => this.adopt(built.parts()),
        (err: unknown) => {
          building = undefined;
          throw err;
        },
      ));
    // Each public method waits for the providers once, then runs as it would on a built Memory.
    for (const name of LAZY_METHODS) {
      const method = Memory.prototype[name] as (...args: unknown[]) => Promise<unknown>;
      Object.defineProperty(this, name, {
        configurable: true,
        writable: true,
        enumerable: false,
        value: async (...args: unknown[]) => {
          await build();
          return method.apply(this, args);
        },
      });
    }
  }

  private parts(): BuiltParts {
    return {
      config: this.config,
      warnings: [...this.warnings],
      vectorStore: this.vectorStore,
      embedder: this.embedder,
      reranker: this.reranker,
      llm: this.llm,
    };
  }

  private adopt(parts: BuiltParts): void {
    Object.assign(this, parts);
    // The config holds API keys: keep it out of console.log / util.inspect / JSON.stringify.
    Object.defineProperty(this, "config", { enumerable: false });
    this.atomicHistory = parts.vectorStore.history !== undefined;
    this.historyStore = parts.vectorStore.history ?? new InMemoryHistory();
    for (const name of LAZY_METHODS) if (Object.hasOwn(this, name)) delete (this as Record<string, unknown>)[name];
    // After the caller has the instance (and its listeners): fromConfig's await, new Memory's first call.
    if (parts.warnings.length > 0)
      setImmediate(() => {
        for (const warning of parts.warnings) this.emit("warning", warning);
      });
  }

  /**
   * Validates the whole config (top level and every provider's own schema) before creating
   * anything, then creates the providers. Throws ConfigError listing every problem.
   */
  static async fromConfig<
    const V extends ProviderRef<"vector_store"> = string,
    const E extends ProviderRef<"embedder"> = string,
    const L extends ProviderRef<"llm"> = string,
    const R extends ProviderRef<"reranker"> = string,
  >(
    config: TypedMemoryConfig<V, E, L, R> = {},
    options: { env?: Record<string, string | undefined> } = {},
  ): Promise<Memory> {
    registerProvider(memoryStorePlugin);
    registerProvider(lexicalEmbedderPlugin);
    const issues: string[] = [];
    const top = memoryConfigSchema.safeParse(config);
    if (!top.success) issues.push(...formatIssues(top.error, ""));
    // Even when the top level is invalid, check each well-formed provider block too, so one
    // ConfigError lists every problem.
    const parsed = (top.success ? top.data : blocksOf(config)) as MemoryConfig;
    const rerankCache = splitRerankCache(parsed.reranker);
    issues.push(...rerankCache.issues);
    const blocks: [Role, ProviderBlock | undefined][] = [
      ["embedder", parsed.embedder ?? DEFAULT_EMBEDDER],
      ["vector_store", parsed.vector_store ?? DEFAULT_VECTOR_STORE],
      ["llm", parsed.llm],
      ["reranker", rerankCache.block],
    ];
    const prepared = new Map<Role, PreparedProvider>();
    for (const [role, block] of blocks) {
      if (!block) continue;
      try {
        prepared.set(role, await prepareProvider(role, block, role));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        issues.push(...err.issues);
      }
    }
    if (issues.length > 0) throw new ConfigError(issues);
    const warnings = [...topLevelWarnings(parsed), ...[...prepared.values()].flatMap((p) => p.warnings)];
    const historyDb =
      parsed.history_store?.provider === "sqlite" ? parsed.history_store.config?.history_db_path : undefined;
    if (parsed.history_db_path === undefined && typeof historyDb === "string") parsed.history_db_path = historyDb;

    const ctx = createContext(parsed, options.env ?? process.env);
    const created: { close?(): Promise<void> }[] = [];
    const create = async <R extends Role>(
      role: R,
      extra: Pick<ProviderContext, "embeddingDims"> = {},
    ): Promise<RoleInstances[R] | undefined> => {
      const preparedRole = prepared.get(role) as PreparedProvider<R> | undefined;
      if (!preparedRole) return undefined;
      const instance = await preparedRole.plugin.create(preparedRole.config, {
        ...contextAt(ctx, `${role}.config`),
        ...extra,
      });
      created.push(instance);
      return instance;
    };
    try {
      // The embedder comes first because the vector store's context carries its dimensions (a
      // store sizes a new collection from them); no other provider needs another's instance.
      const embedder = (await create("embedder"))!;
      const llm = await create("llm");
      const reranker = withRerankCache(await create("reranker"), rerankCache.cache);
      const store = (await create("vector_store", { embeddingDims: embedder.dims }))!;
      return new Memory(BUILT, { config: parsed, warnings, vectorStore: store, embedder, reranker, llm });
    } catch (err) {
      await Promise.allSettled(created.map((c) => c.close?.()));
      throw err;
    }
  }

  /** Stores memories. With `infer: false`, each non-system message becomes one memory, as given. */
  async add(messages: string | Message | readonly Message[], rawOptions: AddOptions): Promise<AddResult> {
    const options = parseOptions(addOptionsSchema, rawOptions, "add");
    requireScope(options, "add");
    const list = this.parseMessages(messages);
    const infer = options.infer ?? this.llm !== undefined;
    const scope: Scope = {};
    for (const k of SCOPE_KEYS) if (options[k] !== undefined) scope[k] = options[k];
    const metadata = options.metadata ?? {};
    const conversation = list.filter((m) => m.role !== "system");
    if (infer) {
      if (!this.llm)
        throw new ValidationError("add.options.infer", "infer: true needs an llm in the config (or pass infer: false)");
      return this.addInferred(this.llm, conversation, scope, metadata);
    }
    if (conversation.length === 0) return { results: [] };
    const texts = conversation.map((m) => m.content);
    const vectors = await this.embedder.embed(texts, "add");
    const records = texts.map((text, i) => this.newRecord(text, vectors[i]!, scope, metadata));
    const events = records.map((r) => historyEvent(r.id, "ADD", null, r.payload.memory, r.payload.created_at));
    await this.write((history) => this.vectorStore.insert(records, { history }), events);
    return { results: records.map((r) => ({ id: r.id, memory: r.payload.memory, event: "ADD" as const })) };
  }

  /**
   * Facts → related memories in the same scope → the LLM's ADD/UPDATE/DELETE/NONE decisions.
   * Both LLM answers are validated whole before the first write.
   */
  private async addInferred(
    llm: LLM,
    conversation: Message[],
    scope: Scope,
    metadata: Record<string, unknown>,
  ): Promise<AddResult> {
    if (conversation.length === 0) return { results: [] };
    const facts = await extractFacts(
      llm,
      conversation,
      this.config.custom_fact_extraction_prompt,
      this.config.custom_instructions,
    );
    if (facts.length === 0) return { results: [] };
    const factVectors = await this.embedder.embed(facts, "add");
    const related = new Map<string, StoredMemory>();
    const filter = scopeFilter(scope);
    for (const vector of factVectors) {
      for (const hit of await this.vectorStore.search({ vector, limit: 5, filter }))
        if (!related.has(hit.id)) related.set(hit.id, { id: hit.id, payload: hit.payload });
    }
    const changes = await decideChanges(llm, facts, [...related.values()], this.config.custom_update_memory_prompt);
    const written = changes.filter((c): c is Extract<MemoryChange, { text: string }> => c.event !== "DELETE");
    const vectors = written.length
      ? await this.embedder.embed(
          written.map((c) => c.text),
          "add",
        )
      : [];
    const vectorOf = new Map(written.map((c, i) => [c, vectors[i]!]));

    // One batch: the adds, then each update or delete computed from its target as it is when the
    // batch is written (the LLM saw it earlier). A target deleted meanwhile is skipped and reported.
    const results: AddResult["results"] = [];
    const batch: StoreChange[] = [];
    for (const c of changes) {
      if (c.event !== "ADD") continue;
      const r = this.newRecord(c.text, vectorOf.get(c)!, scope, metadata);
      batch.push({
        op: "insert",
        ...r,
        history: [historyEvent(r.id, "ADD", null, r.payload.memory, r.payload.created_at)],
      });
      results.push({ id: r.id, memory: r.payload.memory, event: "ADD" });
    }
    for (const c of changes) {
      if (c.event === "ADD") continue;
      const id = c.target.id;
      const at = now();
      const eventId = randomUUID();
      if (c.event === "UPDATE") {
        const result = { id, memory: c.text, event: "UPDATE" as const, previous_memory: c.target.payload.memory };
        results.push(result);
        batch.push({
          op: "update",
          id,
          vector: vectorOf.get(c),
          next: (cur) => {
            result.previous_memory = cur.payload.memory;
            const merged = { ...cur.payload.metadata, ...structuredClone(metadata) };
            const payload: MemoryPayload = {
              ...cur.payload,
              memory: c.text,
              hash: md5(c.text),
              updated_at: at,
              metadata: merged,
            };
            return { payload, history: [historyEvent(id, "UPDATE", cur.payload.memory, c.text, at, eventId)] };
          },
        });
      } else {
        const result = { id, memory: c.target.payload.memory, event: "DELETE" as const };
        results.push(result);
        batch.push({
          op: "delete",
          id,
          history: (cur) => {
            result.memory = cur.payload.memory;
            return [historyEvent(id, "DELETE", cur.payload.memory, null, at, eventId)];
          },
        });
      }
    }
    const { skipped } = await this.applyChanges(batch, { missing: "skip" });
    if (skipped.length === 0) return { results };
    const gone = new Set(skipped);
    return {
      results: results.filter((r) => !gone.has(r.id)),
      skipped: results
        .filter((r) => gone.has(r.id))
        .map((r) => ({ id: r.id, event: r.event as "UPDATE" | "DELETE", reason: "not found" as const })),
    };
  }

  private newRecord(text: string, vector: Vector, scope: Scope, metadata: Record<string, unknown>) {
    const at = now();
    const payload: MemoryPayload = {
      ...scope,
      memory: text,
      hash: md5(text),
      created_at: at,
      updated_at: at,
      metadata: structuredClone(metadata),
    };
    return { id: randomUUID(), vector, payload };
  }

  search(query: string, options?: SearchOptions): Promise<SearchResponse> {
    return search(
      {
        embedder: this.embedder,
        store: this.vectorStore,
        reranker: this.reranker,
        defaults: { rerank_fallback: this.config.rerank_fallback ?? true, timeout_ms: this.config.rerank_timeout_ms },
        emit: (event: keyof MemoryEvents, payload: never) => void this.emit(event, payload),
      },
      query,
      options,
    );
  }

  /**
   * With `scope`, a memory outside it reads as missing (null), exactly like one that does not
   * exist, so a server forwarding ids from its users cannot reveal other users' memories.
   */
  async get(id: string, rawScope?: Scope): Promise<MemoryItem | null> {
    this.checkId(id, "get");
    const scope = this.parseIdScope(rawScope, "get");
    const found = await this.vectorStore.get(id);
    return found && inScope(found.payload, scope) ? toMemoryItem(found) : null;
  }

  async getAll(rawOptions: GetAllOptions): Promise<{ results: MemoryItem[] }> {
    const options = parseOptions(getAllOptionsSchema, rawOptions, "getAll");
    const filter = scopedReadFilter(options, "getAll");
    const rows = await this.vectorStore.list({
      filter,
      limit: resultCount(options, "getAll") ?? 100,
    });
    return { results: rows.map(toMemoryItem) };
  }

  /**
   * Replaces a memory's text (re-embedded) and/or metadata; keeps its id; records history. The
   * store computes the new record from the current one inside its write, so concurrent updates of
   * text and of metadata both survive. With `scope`, a memory outside it is NotFoundError.
   */
  async update(id: string, data: string | { text?: string; metadata?: Record<string, unknown> }, rawScope?: Scope) {
    this.checkId(id, "update");
    const scope = this.parseIdScope(rawScope, "update");
    const change =
      typeof data === "string"
        ? { text: data }
        : parseOptions(
            z.strictObject({ text: z.string().optional(), metadata: metadataSchema.optional() }),
            data,
            "update",
          );
    if (change.text !== undefined && change.text.trim() === "")
      throw new ValidationError("update.text", "must not be empty");
    if (change.text === undefined && change.metadata === undefined)
      throw new ValidationError("update", "give text, metadata or both");
    // Fails fast before embedding; the store checks again inside its write.
    const existing = await this.vectorStore.get(id);
    if (!existing || !inScope(existing.payload, scope)) throw new NotFoundError(id);
    const vector = change.text !== undefined ? (await this.embedder.embed([change.text], "add"))[0] : undefined;
    const at = now();
    const eventId = randomUUID();
    const result = {
      id,
      memory: change.text ?? existing.payload.memory,
      event: "UPDATE" as const,
      previous_memory: existing.payload.memory,
    };
    const next = (cur: StoredMemory) => {
      if (!inScope(cur.payload, scope)) throw new NotFoundError(id);
      const text = change.text ?? cur.payload.memory;
      Object.assign(result, { memory: text, previous_memory: cur.payload.memory });
      const metadata = change.metadata ? structuredClone(change.metadata) : cur.payload.metadata;
      const payload: MemoryPayload = { ...cur.payload, memory: text, hash: md5(text), updated_at: at, metadata };
      return { payload, history: [historyEvent(id, "UPDATE", cur.payload.memory, text, at, eventId)] };
    };
    await this.applyChanges([{ op: "update", id, vector, next }]);
    return result;
  }

  /** Deletes one memory and records it in history. With `scope`, a memory outside it is NotFoundError. */
  async delete(id: string, rawScope?: Scope) {
    this.checkId(id, "delete");
    const scope = this.parseIdScope(rawScope, "delete");
    const at = now();
    const eventId = randomUUID();
    const history = (cur: StoredMemory) => {
      if (!inScope(cur.payload, scope)) throw new NotFoundError(id);
      return [historyEvent(id, "DELETE", cur.payload.memory, null, at, eventId)];
    };
    await this.applyChanges([{ op: "delete", id, history }]);
    return { id, event: "DELETE" as const };
  }

  /** Deletes every memory of a scope. An empty scope is refused: it would delete everything. */
  async deleteAll(rawOptions: Scope): Promise<{ deleted: number }> {
    const options = parseOptions(deleteAllOptionsSchema, rawOptions, "deleteAll");
    requireScope(options, "deleteAll");
    const rows = await this.vectorStore.list({ filter: scopeFilter(options), limit: Number.MAX_SAFE_INTEGER });
    // One batch (one transaction where the store has them); a memory deleted meanwhile is skipped.
    const changes = rows.map((row): StoreChange => {
      const at = now();
      const eventId = randomUUID();
      return {
        op: "delete",
        id: row.id,
        history: (cur) => [historyEvent(row.id, "DELETE", cur.payload.memory, null, at, eventId)],
      };
    });
    const { skipped } = await this.applyChanges(changes, { missing: "skip" });
    return { deleted: rows.length - skipped.length };
  }

  /**
   * The ADD / UPDATE / DELETE events of one memory, oldest first. With `scope`, the memory must
   * exist and belong to it (else NotFoundError): a deleted memory's history is only readable unscoped.
   */
  async history(id: string, rawScope?: Scope): Promise<HistoryEvent[]> {
    this.checkId(id, "history");
    const scope = this.parseIdScope(rawScope, "history");
    if (scope) {
      const found = await this.vectorStore.get(id);
      if (!found || !inScope(found.payload, scope)) throw new NotFoundError(id);
    }
    return this.historyStore.get(id);
  }

  async reset(): Promise<void> {
    await this.vectorStore.reset();
    if (!this.atomicHistory) await this.historyStore.reset();
  }

  /** Closes every provider `fromConfig` created (store, embedder, LLM, reranker) and the history. */
  async close(): Promise<void> {
    const owned = new Set<{ close?(): Promise<void> } | undefined>([
      this.vectorStore,
      this.embedder,
      this.llm,
      this.reranker,
    ]);
    if (!this.atomicHistory) owned.add(this.historyStore);
    await Promise.allSettled([...owned].map((p) => p?.close?.()));
  }

  private async write(op: (history?: readonly HistoryEvent[]) => Promise<void>, events: HistoryEvent[]) {
    if (this.config.disable_history) return op(undefined);
    if (this.atomicHistory) return op(events);
    await op(undefined);
    await this.historyStore.add(events);
  }

  /**
   * Writes a batch through the store's `apply` (atomic where the store is). For a store without its
   * own history, the events the changes produced are written after; for a store without `apply`,
   * the changes go one by one (not protected against concurrent writers).
   */
  private async applyChanges(changes: readonly StoreChange[], options: ApplyOptions = {}): Promise<ApplyResult> {
    if (changes.length === 0) return { skipped: [] };
    if (this.config.disable_history) changes = changes.map(withoutHistory);
    const store = this.vectorStore;
    if (store.apply && this.atomicHistory) return store.apply(changes, options);
    const produced = new Map<string, readonly HistoryEvent[]>();
    const tracked = changes.map((change): StoreChange => {
      if (change.op === "insert") {
        produced.set(change.id, change.history ?? []);
        return change;
      }
      if (change.op === "update")
        return {
          ...change,
          next: (cur) => {
            const next = change.next(cur);
            produced.set(change.id, next.history ?? []);
            return next;
          },
        };
      return {
        ...change,
        history: (cur) => {
          const events = change.history?.(cur) ?? [];
          produced.set(change.id, events);
          return events;
        },
      };
    });
    let result: ApplyResult;
    if (store.apply) result = await store.apply(tracked, options);
    else {
      result = { skipped: [] };
      for (const change of tracked) {
        if (change.op === "insert") await store.insert([change]);
        else {
          const cur = await store.get(change.id);
          if (!cur && options.missing === "skip") result.skipped.push(change.id);
          else if (!cur) throw new NotFoundError(change.id);
          else if (change.op === "update")
            await store.update(change.id, { vector: change.vector, payload: change.next(cur).payload });
          else {
            change.history?.(cur);
            await store.delete(change.id);
          }
        }
      }
    }
    const skipped = new Set(result.skipped);
    const events = [...produced].flatMap(([id, memoryEvents]) => (skipped.has(id) ? [] : memoryEvents));
    if (events.length) await this.historyStore.add(events);
    return result;
  }

  private parseIdScope(raw: unknown, method: string): Scope | undefined {
    if (raw === undefined) return undefined;
    const scope = parseOptions(idScopeSchema, raw, method);
    requireScope(scope, method);
    return scope;
  }

  private checkId(id: unknown, method: string) {
    if (typeof id !== "string" || id.length === 0)
      throw new ValidationError(`${method}.id`, "expected a non-empty string");
  }

  private parseMessages(messages: unknown): Message[] {
    if (typeof messages === "string") {
      if (messages.trim() === "") throw new ValidationError("add.messages", "must not be empty");
      return [{ role: "user", content: messages }];
    }
    const list = Array.isArray(messages) ? messages : [messages];
    if (list.length === 0) throw new ValidationError("add.messages", "must not be empty");
    return list.map((m, i) => {
      const parsed = messageSchema.safeParse(m);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ValidationError(
          `add.messages[${i}]${issue.path.length ? `.${issue.path.join(".")}` : ""}`,
          issue.message,
        );
      }
      if (parsed.data.content.trim() === "" && parsed.data.role !== "system")
        throw new ValidationError(`add.messages[${i}].content`, "must not be empty");
      return parsed.data;
    });
  }
}

/** The seed shows `AsyncMemory`; in TypeScript every method is already async, so it is the same class. */
export const AsyncMemory = Memory;
export type AsyncMemory = Memory;
