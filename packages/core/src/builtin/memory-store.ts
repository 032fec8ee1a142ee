/**
 * `memory`: an in-process store with exact cosine search, evaluating filters with the reference
 * evaluator. For tests and short-lived processes; nothing survives the process.
 */
import { z } from "zod";
import { fields, providerConfigSchema } from "../config.js";
import { Mem0Error, NotFoundError } from "../errors.js";
import { evaluateFilter, type FilterNode } from "../filters.js";
import { compareCreated, payloadField } from "../payload-fields.js";
import { defineVectorStore } from "../providers.js";
import type {
  ApplyOptions,
  ApplyResult,
  HistoryEvent,
  HistoryStore,
  MemoryPayload,
  ScoredMemory,
  StoreChange,
  StoredMemory,
  Vector,
  VectorStore,
  WriteOptions,
} from "../types.js";
import { dot, normalizeVector, vectorProblem } from "../vector.js";

export class InMemoryHistory implements HistoryStore {
  private events: HistoryEvent[] = [];
  async add(events: readonly HistoryEvent[]) {
    this.append(events);
  }
  /** Synchronous, so a store write and its events happen with no await between them. */
  append(events: readonly HistoryEvent[]) {
    this.events.push(...events.map((e) => ({ ...e })));
  }
  async get(memoryId: string) {
    return this.events.filter((e) => e.memory_id === memoryId).map((e) => ({ ...e }));
  }
  async reset() {
    this.events = [];
  }
}

const clone = (p: MemoryPayload): MemoryPayload => structuredClone(p);

export class InMemoryVectorStore implements VectorStore {
  readonly provider = "memory";
  readonly history = new InMemoryHistory();
  private rows = new Map<string, { vector: Float32Array; payload: MemoryPayload }>();

  constructor(private readonly dims?: number) {}

  private checked(v: Vector, id: string): Float32Array {
    const problem = vectorProblem(v, this.dims);
    if (problem) throw new Mem0Error("INVALID_VECTOR", `memory store: ${id}: ${problem}`);
    return normalizeVector(v);
  }

  async insert(records: readonly { id: string; vector: Vector; payload: MemoryPayload }[], options?: WriteOptions) {
    // Validate everything first so a bad record writes nothing.
    const seen = new Set<string>();
    const rows = records.map((r) => {
      if (this.rows.has(r.id) || seen.has(r.id))
        throw new Mem0Error("DUPLICATE_ID", `memory store: id ${r.id} already exists`);
      seen.add(r.id);
      return [r.id, { vector: this.checked(r.vector, r.id), payload: clone(r.payload) }] as const;
    });
    for (const [id, row] of rows) this.rows.set(id, row);
    if (options?.history) await this.history.add(options.history);
  }

  async search(query: { vector: Vector; limit: number; filter: FilterNode | null }): Promise<ScoredMemory[]> {
    const q = normalizeVector(query.vector);
    const hits: ScoredMemory[] = [];
    for (const [id, row] of this.rows) {
      if (!evaluateFilter(query.filter, payloadField(row.payload))) continue;
      hits.push({ id, score: dot(q, row.vector), payload: clone(row.payload) });
    }
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return hits.slice(0, query.limit);
  }

  async get(id: string): Promise<StoredMemory | null> {
    const row = this.rows.get(id);
    return row ? { id, payload: clone(row.payload) } : null;
  }

  async list(query: { filter: FilterNode | null; limit: number }): Promise<StoredMemory[]> {
    const out: StoredMemory[] = [];
    for (const [id, row] of this.rows) {
      if (evaluateFilter(query.filter, payloadField(row.payload))) out.push({ id, payload: clone(row.payload) });
    }
    return out.sort(compareCreated).slice(0, query.limit);
  }

  async update(id: string, record: { vector?: Vector; payload: MemoryPayload }, options?: WriteOptions) {
    const row = this.rows.get(id);
    if (!row) throw new NotFoundError(id);
    const vector = record.vector ? this.checked(record.vector, id) : row.vector;
    this.rows.set(id, { vector, payload: clone(record.payload) });
    if (options?.history) await this.history.add(options.history);
  }

  async delete(id: string, options?: WriteOptions) {
    if (!this.rows.delete(id)) throw new NotFoundError(id);
    if (options?.history) await this.history.add(options.history);
  }

  /**
   * All or nothing: every change is computed against the rows as the batch leaves them before any
   * row is touched, with no await in between, so concurrent callers in this process see either
   * none or all of it.
   */
  async apply(changes: readonly StoreChange[], options: ApplyOptions = {}): Promise<ApplyResult> {
    const staged = new Map<string, { vector: Float32Array; payload: MemoryPayload } | null>();
    const current = (id: string) => (staged.has(id) ? staged.get(id)! : (this.rows.get(id) ?? null));
    const events: HistoryEvent[] = [];
    const skipped: string[] = [];
    for (const c of changes) {
      const row = current(c.id);
      if (c.op === "insert") {
        if (row) throw new Mem0Error("DUPLICATE_ID", `memory store: id ${c.id} already exists`);
        staged.set(c.id, { vector: this.checked(c.vector, c.id), payload: clone(c.payload) });
        events.push(...(c.history ?? []));
        continue;
      }
      if (!row) {
        if (options.missing !== "skip") throw new NotFoundError(c.id);
        skipped.push(c.id);
        continue;
      }
      const stored = { id: c.id, payload: clone(row.payload) };
      if (c.op === "update") {
        const next = c.next(stored);
        staged.set(c.id, {
          vector: c.vector ? this.checked(c.vector, c.id) : row.vector,
          payload: clone(next.payload),
        });
        events.push(...(next.history ?? []));
      } else {
        staged.set(c.id, null);
        events.push(...(c.history?.(stored) ?? []));
      }
    }
    for (const [id, row] of staged) {
      if (row) this.rows.set(id, row);
      else this.rows.delete(id);
    }
    this.history.append(events);
    return { skipped };
  }

  async reset() {
    this.rows.clear();
    await this.history.reset();
  }
}

export const memoryStorePlugin = defineVectorStore({
  provider: "memory",
  configSchema: providerConfigSchema({
    embedding_model_dims: fields.positiveInt().optional(),
    collection_name: z.string().optional(),
  }),
  create: (config) => new InMemoryVectorStore(config.embedding_model_dims),
});
