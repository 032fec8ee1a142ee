/**
 * The top-level config, with Mem0's keys. Provider blocks are `{ provider, config }`; each
 * provider's `config` is validated by that provider's own schema (see providers.ts). camelCase
 * spellings of every key are accepted and normalised to snake_case before validation.
 */
import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { ProviderPlugin } from "./providers.js";

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Shallowly renames camelCase keys to snake_case; non-objects pass through for zod to reject. */
export function snakeCaseKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), v]));
}

/**
 * Wraps a provider's config shape: camelCase aliases, unknown keys rejected. Plugin authors use it
 * so their packages accept configs exactly like the built-in ones.
 */
export function providerConfigSchema<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => snakeCaseKeys(v ?? {}), z.strictObject(shape));
}

/** Reusable field schemas with the messages users see. */
export const fields = {
  positiveInt: () => z.number({ error: "expected a positive integer" }).int({ error: "expected a positive integer" }).positive({ error: "expected a positive integer" }),
  nonNegativeInt: () => z.number({ error: "expected a non-negative integer" }).int({ error: "expected a non-negative integer" }).nonnegative({ error: "expected a non-negative integer" }),
  nonEmptyString: () => z.string({ error: "expected a non-empty string" }).min(1, { error: "expected a non-empty string" }),
  /** API keys: never echoed in messages; zod's messages never include the received value. */
  apiKey: () => z.string({ error: "expected a string" }).min(1, { error: "expected a non-empty string" }),
  url: () => z.url({ error: "expected an absolute http(s) URL" }),
};

/** A plugin object (made with `defineReranker` & co.), given in a config instead of a provider name. */
export function isProviderPlugin(value: unknown): value is ProviderPlugin {
  if (!value || typeof value !== "object") return false;
  const p = value as Partial<ProviderPlugin>;
  return typeof p.role === "string" && typeof p.provider === "string" && typeof p.create === "function" && typeof p.configSchema === "object";
}

export const providerBlockSchema = z.preprocess(
  snakeCaseKeys,
  z.strictObject({
    // A name is resolved at run time; a plugin object is imported statically, so bundlers keep it.
    provider: z.custom<string | ProviderPlugin>((v) => isProviderPlugin(v) || (typeof v === "string" && v.length > 0), {
      error: (issue) =>
        typeof issue.input === "string" ? "expected a non-empty string" : "expected a provider name or a provider object (made with defineReranker & co.)",
    }),
    config: z.record(z.string(), z.unknown(), { error: "expected an object" }).optional(),
  }),
);

export type ProviderBlock = { provider: string | ProviderPlugin; config?: Record<string, unknown> | undefined };

export const memoryConfigSchema = z.preprocess(
  (v) => snakeCaseKeys(v ?? {}),
  z.strictObject({
    vector_store: providerBlockSchema.optional(),
    embedder: providerBlockSchema.optional(),
    llm: providerBlockSchema.optional(),
    reranker: providerBlockSchema.optional(),
    history_db_path: fields.nonEmptyString().optional(),
    disable_history: z.boolean({ error: "expected a boolean" }).optional(),
    custom_fact_extraction_prompt: z.string({ error: "expected a string" }).optional(),
    custom_update_memory_prompt: z.string({ error: "expected a string" }).optional(),
    version: z.string({ error: "expected a string" }).optional(),
    /** Default for `search(…, { rerank_fallback })`: on reranker failure, return vector order. */
    rerank_fallback: z.boolean({ error: "expected a boolean" }).optional(),
    /** Default for `search(…, { timeout_ms })`. */
    rerank_timeout_ms: fields.positiveInt().optional(),
  }),
);

export type MemoryConfig = {
  vector_store?: ProviderBlock;
  embedder?: ProviderBlock;
  llm?: ProviderBlock;
  reranker?: ProviderBlock;
  history_db_path?: string;
  disable_history?: boolean;
  custom_fact_extraction_prompt?: string;
  custom_update_memory_prompt?: string;
  version?: string;
  rerank_fallback?: boolean;
  rerank_timeout_ms?: number;
};

/** Input type: snake_case or camelCase keys. */
export type MemoryConfigInput = MemoryConfig | Record<string, unknown>;

/** Formats zod issues as `path: message`, with `prefix` before the path. */
export function formatIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => `${base ? `${base}.` : ""}${k}: unknown key`);
    }
    return [`${base || "(root)"}: ${issue.message}`];
  });
}

/** Validates `schema` or throws one ConfigError listing every problem under `prefix`. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(formatIssues(result.error, prefix));
  return result.data;
}
