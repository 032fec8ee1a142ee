/**
 * `Memory`: Mem0's API on top of the provider contracts. Writes validate everything before they
 * touch a store, and each write commits its history event with it (or, for stores without their
 * own history, right after it).
 */
import { createHash, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { z } from "zod";
import { formatIssues, memoryConfigSchema, providerBlockSchema, snakeCaseKeys, type MemoryConfig, type ProviderBlock } from "./config.js";
import type { ProviderRef, TypedMemoryConfig } from "./config-types.js";
import { ConfigError, NotFoundError, ValidationError } from "./errors.js";
import { andFilters, parseFilters, type Filters } from "./filters.js";
import { InMemoryHistory, lexicalEmbedderPlugin, memoryStorePlugin } from "./builtin/index.js";
import { createContext, prepareProvider, registerProvider, type PreparedProvider, type Role, type RoleInstances } from "./providers.js";
import { parseOptions, scopeFilter, search, toMemoryItem, type MemoryItem, type SearchOptions, type SearchResponse } from "./search.js";
import { decideChanges, extractFacts, type MemoryChange } from "./infer.js";
import { RECORD_FIELDS, SCOPE_KEYS, type Embedder, type HistoryEvent, type HistoryStore, type LLM, type MemoryPayload, type Reranker, type Scope, type StoredMemory, type Vector, type VectorStore } from "./types.js";

export type Message = { role: "system" | "user" | "assistant"; content: string; name?: string };

export interface AddOptions extends Scope {
  metadata?: Record<string, unknown>;
  /** Extract facts with the LLM (default when an LLM is configured) or store messages as given. */
  infer?: boolean;
}

export interface AddResult {
  results: { id: string; memory: string; event: "ADD" | "UPDATE" | "DELETE" | "NONE"; previous_memory?: string }[];
}

export interface GetAllOptions extends Scope {
  filters?: Filters;
  limit?: number;
}

export interface MemoryEvents {
  "rerank:error": [{ query: string; provider: string; error: Error }];
  search: [{ query: string; response: SearchResponse }];
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

const reserved = new Set<string>(RECORD_FIELDS);
const nonEmpty = z.string().min(1, "expected a non-empty string");
const scopeShape = { user_id: nonEmpty.optional(), agent_id: nonEmpty.optional(), run_id: nonEmpty.optional() };
const metadataSchema = z
  .record(z.string(), z.unknown(), { error: "expected a plain object" })
  .superRefine((m, ctx) => {
    for (const key of Object.keys(m)) {
      if (reserved.has(key)) ctx.addIssue({ code: "custom", path: [key], message: `is reserved for the record itself; choose another metadata key` });
    }
    try {
      JSON.stringify(m);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be JSON-serialisable" });
    }
  });
const addOptionsSchema = z.strictObject({ ...scopeShape, metadata: metadataSchema.optional(), infer: z.boolean({ error: "expected a boolean" }).optional() });
const getAllOptionsSchema = z.strictObject({ ...scopeShape, filters: z.unknown().optional(), limit: z.number().int().min(1, "expected an integer ≥ 1").optional() });
const deleteAllOptionsSchema = z.strictObject(scopeShape);
const messageSchema = z.strictObject({ role: z.enum(["system", "user", "assistant"]), content: z.string(), name: z.string().optional() });

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

function requireScope(scope: Scope, method: string): void {
  if (!SCOPE_KEYS.some((k) => scope[k] !== undefined)) {
    throw new ValidationError(`${method}.options`, "give at least one of user_id, agent_id, run_id");
  }
}

function historyEvent(memoryId: string, event: HistoryEvent["event"], oldMemory: string | null, newMemory: string | null, at: string): HistoryEvent {
  return {
    id: randomUUID(),
    memory_id: memoryId,
    event,
    old_memory: oldMemory,
    new_memory: newMemory,
    created_at: at,
    updated_at: event === "ADD" ? null : at,
    is_deleted: event === "DELETE",
  };
}

export class Memory extends MemoryEventEmitter {
  private readonly historyStore: HistoryStore;
  /** History events go into the store's own transaction when the store keeps history. */
  private readonly atomicHistory: boolean;

  private constructor(
    readonly config: MemoryConfig,
    readonly vectorStore: VectorStore,
    readonly embedder: Embedder,
    readonly reranker: Reranker | undefined,
    readonly llm: LLM | undefined,
  ) {
    super();
    // The config holds API keys: keep it out of console.log / util.inspect / JSON.stringify.
    Object.defineProperty(this, "config", { enumerable: false });
    this.atomicHistory = vectorStore.history !== undefined;
    this.historyStore = vectorStore.history ?? new InMemoryHistory();
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
  >(config: TypedMemoryConfig<V, E, L, R> = {}, options: { env?: Record<string, string | undefined> } = {}): Promise<Memory> {
    registerProvider(memoryStorePlugin);
    registerProvider(lexicalEmbedderPlugin);
    const issues: string[] = [];
    const top = memoryConfigSchema.safeParse(config);
    if (!top.success) issues.push(...formatIssues(top.error, ""));
    // Even when the top level is invalid, check each well-formed provider block too, so one
    // ConfigError lists every problem.
    const parsed = (top.success ? top.data : blocksOf(config)) as MemoryConfig;
    const blocks: [Role, ProviderBlock | undefined][] = [
      ["embedder", parsed.embedder ?? DEFAULT_EMBEDDER],
      ["vector_store", parsed.vector_store ?? DEFAULT_VECTOR_STORE],
      ["llm", parsed.llm],
      ["reranker", parsed.reranker],
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

    const ctx = createContext(parsed, options.env ?? process.env);
    const created: { close?(): Promise<void> }[] = [];
    const create = async <R extends Role>(role: R): Promise<RoleInstances[R] | undefined> => {
      const p = prepared.get(role) as PreparedProvider<R> | undefined;
      if (!p) return undefined;
      const instance = await p.plugin.create(p.config, ctx);
      created.push(instance);
      return instance;
    };
    try {
      const embedder = (await create("embedder"))!;
      ctx.embeddingDims = embedder.dims;
      const llm = await create("llm");
      const reranker = await create("reranker");
      const store = (await create("vector_store"))!;
      return new Memory(parsed, store, embedder, reranker, llm);
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
      if (!this.llm) throw new ValidationError("add.options.infer", "infer: true needs an llm in the config (or pass infer: false)");
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
  private async addInferred(llm: LLM, conversation: Message[], scope: Scope, metadata: Record<string, unknown>): Promise<AddResult> {
    if (conversation.length === 0) return { results: [] };
    const facts = await extractFacts(llm, conversation, this.config.custom_fact_extraction_prompt);
    if (facts.length === 0) return { results: [] };
    const factVectors = await this.embedder.embed(facts, "add");
    const related = new Map<string, StoredMemory>();
    const filter = scopeFilter(scope);
    for (const vector of factVectors) {
      for (const hit of await this.vectorStore.search({ vector, limit: 5, filter })) if (!related.has(hit.id)) related.set(hit.id, { id: hit.id, payload: hit.payload });
    }
    const changes = await decideChanges(llm, facts, [...related.values()], this.config.custom_update_memory_prompt);
    const written = changes.filter((c): c is Extract<MemoryChange, { text: string }> => c.event !== "DELETE");
    const vectors = written.length ? await this.embedder.embed(written.map((c) => c.text), "add") : [];
    const vectorOf = new Map(written.map((c, i) => [c, vectors[i]!]));

    const results: AddResult["results"] = [];
    const adds = changes.flatMap((c) => (c.event === "ADD" ? [this.newRecord(c.text, vectorOf.get(c)!, scope, metadata)] : []));
    if (adds.length) {
      const events = adds.map((r) => historyEvent(r.id, "ADD", null, r.payload.memory, r.payload.created_at));
      await this.write((history) => this.vectorStore.insert(adds, { history }), events);
      results.push(...adds.map((r) => ({ id: r.id, memory: r.payload.memory, event: "ADD" as const })));
    }
    for (const c of changes) {
      if (c.event === "UPDATE") {
        const at = now();
        const payload: MemoryPayload = { ...c.target.payload, memory: c.text, hash: md5(c.text), updated_at: at, metadata: { ...c.target.payload.metadata, ...structuredClone(metadata) } };
        const event = historyEvent(c.target.id, "UPDATE", c.target.payload.memory, c.text, at);
        await this.write((history) => this.vectorStore.update(c.target.id, { vector: vectorOf.get(c), payload }, { history }), [event]);
        results.push({ id: c.target.id, memory: c.text, event: "UPDATE", previous_memory: c.target.payload.memory });
      } else if (c.event === "DELETE") {
        const event = historyEvent(c.target.id, "DELETE", c.target.payload.memory, null, now());
        await this.write((history) => this.vectorStore.delete(c.target.id, { history }), [event]);
        results.push({ id: c.target.id, memory: c.target.payload.memory, event: "DELETE" });
      }
    }
    return { results };
  }

  private newRecord(text: string, vector: Vector, scope: Scope, metadata: Record<string, unknown>) {
    const at = now();
    const payload: MemoryPayload = { ...scope, memory: text, hash: md5(text), created_at: at, updated_at: at, metadata: structuredClone(metadata) };
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

  async get(id: string): Promise<MemoryItem | null> {
    this.checkId(id, "get");
    const found = await this.vectorStore.get(id);
    return found ? toMemoryItem(found) : null;
  }

  async getAll(rawOptions: GetAllOptions): Promise<{ results: MemoryItem[] }> {
    const options = parseOptions(getAllOptionsSchema, rawOptions, "getAll");
    const userFilter = parseFilters(options.filters);
    const scope = scopeFilter(options);
    if (!scope && !userFilter) throw new ValidationError("getAll.options", "give at least one of user_id, agent_id, run_id, or filters");
    const rows = await this.vectorStore.list({ filter: andFilters(scope, userFilter), limit: options.limit ?? 100 });
    return { results: rows.map(toMemoryItem) };
  }

  /** Replaces a memory's text (re-embedded) and/or metadata; keeps its id; records history. */
  async update(id: string, data: string | { text?: string; metadata?: Record<string, unknown> }) {
    this.checkId(id, "update");
    const change = typeof data === "string" ? { text: data } : parseOptions(z.strictObject({ text: z.string().optional(), metadata: metadataSchema.optional() }), data, "update");
    if (change.text !== undefined && change.text.trim() === "") throw new ValidationError("update.text", "must not be empty");
    if (change.text === undefined && change.metadata === undefined) throw new ValidationError("update", "give text, metadata or both");
    const existing = await this.vectorStore.get(id);
    if (!existing) throw new NotFoundError(id);
    const text = change.text ?? existing.payload.memory;
    const vector = change.text !== undefined ? (await this.embedder.embed([text], "add"))[0] : undefined;
    const at = now();
    const payload: MemoryPayload = { ...existing.payload, memory: text, hash: md5(text), updated_at: at, metadata: change.metadata ? structuredClone(change.metadata) : existing.payload.metadata };
    const event = historyEvent(id, "UPDATE", existing.payload.memory, text, at);
    await this.write((history) => this.vectorStore.update(id, { vector, payload }, { history }), [event]);
    return { id, memory: text, event: "UPDATE" as const, previous_memory: existing.payload.memory };
  }

  async delete(id: string) {
    this.checkId(id, "delete");
    const existing = await this.vectorStore.get(id);
    if (!existing) throw new NotFoundError(id);
    const event = historyEvent(id, "DELETE", existing.payload.memory, null, now());
    await this.write((history) => this.vectorStore.delete(id, { history }), [event]);
    return { id, event: "DELETE" as const };
  }

  /** Deletes every memory of a scope. An empty scope is refused: it would delete everything. */
  async deleteAll(rawOptions: Scope): Promise<{ deleted: number }> {
    const options = parseOptions(deleteAllOptionsSchema, rawOptions, "deleteAll");
    requireScope(options, "deleteAll");
    const rows = await this.vectorStore.list({ filter: scopeFilter(options), limit: Number.MAX_SAFE_INTEGER });
    for (const row of rows) {
      const event = historyEvent(row.id, "DELETE", row.payload.memory, null, now());
      await this.write((history) => this.vectorStore.delete(row.id, { history }), [event]);
    }
    return { deleted: rows.length };
  }

  /** The ADD / UPDATE / DELETE events of one memory, oldest first. */
  async history(id: string): Promise<HistoryEvent[]> {
    this.checkId(id, "history");
    return this.historyStore.get(id);
  }

  async reset(): Promise<void> {
    await this.vectorStore.reset();
    if (!this.atomicHistory) await this.historyStore.reset();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.vectorStore.close?.(), this.reranker?.close?.(), this.atomicHistory ? undefined : this.historyStore.close?.()]);
  }

  private async write(op: (history?: readonly HistoryEvent[]) => Promise<void>, events: HistoryEvent[]) {
    if (this.atomicHistory) return op(events);
    await op(undefined);
    await this.historyStore.add(events);
  }

  private checkId(id: unknown, method: string) {
    if (typeof id !== "string" || id.length === 0) throw new ValidationError(`${method}.id`, "expected a non-empty string");
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
        throw new ValidationError(`add.messages[${i}]${issue.path.length ? "." + issue.path.join(".") : ""}`, issue.message);
      }
      if (parsed.data.content.trim() === "" && parsed.data.role !== "system") throw new ValidationError(`add.messages[${i}].content`, "must not be empty");
      return parsed.data;
    });
  }
}

/** The seed shows `AsyncMemory`; in TypeScript every method is already async, so it is the same class. */
export const AsyncMemory = Memory;
export type AsyncMemory = Memory;
