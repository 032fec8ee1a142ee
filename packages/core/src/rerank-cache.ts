/**
 * Opt-in cache of reranker scores (`reranker.config.cache: { max_entries, ttl_ms }`), so an agent
 * asking the same question over the same memories does not pay a hosted reranker twice.
 *
 * Pointwise rerankers (cross-encoders, Cohere, ZeroEntropy, TEI) score each (query, document) pair
 * on its own, so scores are cached per pair, keyed by provider, model, query and a hash of the
 * memory's text: a call sends only the documents not cached, and none at all when every one is.
 * A reranker whose scores depend on the other documents of the call (`listwise`, e.g. the LLM
 * reranker) is cached per whole call (query and the ordered documents), never merged.
 *
 * The pipeline sees what happened in `rerank.meta`: `cached` (true when no provider call was made),
 * `cache_hits` (documents served from the cache).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { formatIssues, fields, type ProviderBlock } from "./config.js";
import type { Reranker, RerankItem, RerankOptions } from "./types.js";

export const rerankCacheSchema = z.strictObject({
  max_entries: fields.positiveInt().default(10_000),
  ttl_ms: fields.positiveInt().default(3_600_000),
});

export type RerankCacheConfig = z.infer<typeof rerankCacheSchema>;

/**
 * Takes `cache` out of the reranker block (the provider's own schema does not know it) and checks
 * it. Returns the block the provider is created from, the cache settings, and any config issues.
 */
export function splitRerankCache(block: ProviderBlock | undefined): {
  block: ProviderBlock | undefined;
  cache?: RerankCacheConfig;
  issues: string[];
} {
  if (!block?.config || !Object.hasOwn(block.config, "cache")) return { block, issues: [] };
  const { cache, ...config } = block.config;
  const parsed = rerankCacheSchema.safeParse(cache);
  const rest = { ...block, config };
  return parsed.success
    ? { block: rest, cache: parsed.data, issues: [] }
    : { block: rest, issues: formatIssues(parsed.error, "reranker.config.cache") };
}

const digest = (s: string) => createHash("sha256").update(s).digest("base64url");

/** Least recently used entries go first once `max` is reached; entries older than `ttl` are misses. */
class ExpiringLru<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly max: number,
    private readonly ttl: number,
  ) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: now + this.ttl });
  }

  get size(): number {
    return this.entries.size;
  }
}

export class CachedReranker implements Reranker {
  readonly provider: string;
  readonly model?: string;
  readonly topK?: number;
  readonly maxDocumentsPerCall?: number;
  readonly maxConcurrentCalls?: number;
  readonly hosted?: boolean;
  readonly listwise?: boolean;
  readonly planCalls?: Reranker["planCalls"];
  private readonly scores: ExpiringLru<number>;
  private readonly calls: ExpiringLru<RerankItem[]>;

  constructor(
    readonly inner: Reranker,
    config: RerankCacheConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.provider = inner.provider;
    this.model = inner.model;
    this.topK = inner.topK;
    // The runner reads these to split, bound concurrency and budget the calls: they are the inner reranker's.
    this.maxDocumentsPerCall = inner.maxDocumentsPerCall;
    this.maxConcurrentCalls = inner.maxConcurrentCalls;
    this.hosted = inner.hosted;
    this.listwise = inner.listwise;
    if (inner.planCalls) this.planCalls = inner.planCalls.bind(inner);
    this.scores = new ExpiringLru(config.max_entries, config.ttl_ms);
    this.calls = new ExpiringLru(config.max_entries, config.ttl_ms);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  /** Entries held (tests and diagnostics). */
  get size(): number {
    return this.scores.size + this.calls.size;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankItem[]> {
    const prefix = JSON.stringify([this.provider, this.model ?? null, query]);
    return this.listwise
      ? this.whole(prefix, query, documents, options)
      : this.pointwise(prefix, query, documents, options);
  }

  private async whole(
    prefix: string,
    query: string,
    documents: readonly string[],
    options: RerankOptions,
  ): Promise<RerankItem[]> {
    const key = `${prefix}:${topKey(options)}:${documents.map(digest).join(",")}`;
    const hit = this.calls.get(key, this.now());
    report(options, hit ? documents.length : 0, !!hit);
    if (hit) return hit.map((r) => ({ ...r }));
    const out = await this.inner.rerank(query, documents, options);
    this.calls.set(
      key,
      out.map((r) => ({ ...r })),
      this.now(),
    );
    return out;
  }

  private async pointwise(
    prefix: string,
    query: string,
    documents: readonly string[],
    options: RerankOptions,
  ): Promise<RerankItem[]> {
    const now = this.now();
    const keys = documents.map((d) => `${prefix}:${digest(d)}`);
    const known = keys.map((k) => this.scores.get(k, now));
    const missing = known.flatMap((s, i) => (s === undefined ? [i] : []));
    report(options, documents.length - missing.length, missing.length === 0);
    if (missing.length > 0) {
      // Every missing document is scored (top_k = all of them), so each one's score can be kept.
      const out = await this.inner.rerank(
        query,
        missing.map((i) => documents[i]!),
        { ...options, top_k: missing.length },
      );
      const at = this.now();
      for (const item of out) {
        const docIndex = missing[item.index]!;
        known[docIndex] = item.score;
        this.scores.set(keys[docIndex]!, item.score, at);
      }
    }
    const ranked = known
      .flatMap((score, index) => (score === undefined ? [] : [{ index, score }]))
      .sort((a, b) => b.score - a.score || a.index - b.index);
    return options.top_k === undefined ? ranked : ranked.slice(0, options.top_k);
  }
}

const topKey = (options: RerankOptions) => String(options.top_k ?? "all");

function report(options: RerankOptions, hits: number, cached: boolean): void {
  if (!options.meta) return;
  options.meta.cached = cached && options.meta.cached !== false;
  options.meta.cache_hits = (Number(options.meta.cache_hits) || 0) + hits;
}

/** Wraps `reranker` in the cache when the config asked for one. */
export function withRerankCache(
  reranker: Reranker | undefined,
  cache: RerankCacheConfig | undefined,
): Reranker | undefined {
  return reranker && cache ? new CachedReranker(reranker, cache) : reranker;
}
