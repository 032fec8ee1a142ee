/**
 * The top-level config, with Mem0's keys. Provider blocks are `{ provider, config }`; each
 * provider's `config` is validated by that provider's own schema (see providers.ts). camelCase
 * spellings of every key are accepted and normalised to snake_case before validation.
 */
import { z } from "zod";
import { ConfigError } from "./errors.js";

/**
 * camelCase → snake_case, treating a run of capitals as one word (`baseURL` → `base_url`,
 * `apiKey` → `api_key`). A key without lower-case letters (`USER_ID`) is left as written, so an
 * error names it the way the caller spelled it.
 */
export function snakeCase(key: string): string {
  if (!/[a-z]/.test(key)) return key;
  return key
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** Shallowly renames camelCase keys to snake_case; non-objects pass through for zod to reject. */
export function snakeCaseKeys(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCase(k), v]));
}

/**
 * Keys given in two spellings of one name (`user_id` and `userId`): the snake_case name and the
 * spellings. Either spelling silently winning would let `{ user_id: "alice", userId: "bob" }` act as bob.
 */
export function spellingConflicts(value: unknown): { key: string; spellings: string[] }[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const by = new Map<string, string[]>();
  for (const k of Object.keys(value)) by.set(snakeCase(k), [...(by.get(snakeCase(k)) ?? []), k]);
  return [...by].filter(([, spellings]) => spellings.length > 1).map(([key, spellings]) => ({ key, spellings }));
}

export const conflictMessage = (spellings: readonly string[]) =>
  `given twice, as ${spellings.map((s) => JSON.stringify(s)).join(" and ")}; use one spelling`;

/** zod preprocess step: snake_case keys, with an issue for each key given in two spellings. */
function snakeCaseChecked(
  value: unknown,
  ctx: { addIssue(issue: { code: "custom"; message: string; path: string[] }): void },
): unknown {
  for (const c of spellingConflicts(value))
    ctx.addIssue({ code: "custom", message: conflictMessage(c.spellings), path: [c.key] });
  return snakeCaseKeys(value);
}

/**
 * Wraps a provider's config shape: camelCase aliases, unknown keys rejected. Plugin authors use it
 * so their packages accept configs exactly like the built-in ones.
 */
export function providerConfigSchema<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v, ctx) => snakeCaseChecked(v ?? {}, ctx), z.strictObject(shape));
}

/** Reusable field schemas with the messages users see. */
export const fields = {
  positiveInt: () =>
    z
      .number({ error: "expected a positive integer" })
      .int({ error: "expected a positive integer" })
      .positive({ error: "expected a positive integer" }),
  nonNegativeInt: () =>
    z
      .number({ error: "expected a non-negative integer" })
      .int({ error: "expected a non-negative integer" })
      .nonnegative({ error: "expected a non-negative integer" }),
  /** A result count (`limit`, `top_k`): an integer ≥ 1. */
  resultCount: () =>
    z
      .number({ error: "expected an integer ≥ 1" })
      .int({ error: "expected an integer ≥ 1" })
      .min(1, { error: "expected an integer ≥ 1" }),
  /** A number in [min, max], e.g. a temperature or a score threshold. */
  numberBetween: (min: number, max: number) => {
    const error = `expected a number between ${min} and ${max}`;
    return z.number({ error }).min(min, { error }).max(max, { error });
  },
  nonEmptyString: () =>
    z.string({ error: "expected a non-empty string" }).min(1, { error: "expected a non-empty string" }),
  /** API keys: never echoed in messages; zod's messages never include the received value. */
  apiKey: () => z.string({ error: "expected a string" }).min(1, { error: "expected a non-empty string" }),
  /** http: and https: only: a `file:` or `data:` base URL would send requests (and keys) elsewhere. */
  url: () => z.url({ protocol: /^https?$/, error: "expected an absolute http(s) URL" }),
};

/**
 * What config validation knows of a plugin object (made with `defineReranker` & co.) given instead
 * of a provider name. providers.ts's `ProviderPlugin` is one; the shape is written here, not
 * imported, because providers.ts builds on this file and types must not import in a circle.
 */
export interface PluginObject {
  role: string;
  provider: string;
  create: (...args: never[]) => unknown;
  configSchema: object;
}

export function isProviderPlugin(value: unknown): value is PluginObject {
  if (!value || typeof value !== "object") return false;
  const plugin = value as Partial<PluginObject>;
  return (
    typeof plugin.role === "string" &&
    typeof plugin.provider === "string" &&
    typeof plugin.create === "function" &&
    typeof plugin.configSchema === "object"
  );
}

export const providerBlockSchema = z.preprocess(
  snakeCaseChecked,
  z.strictObject({
    // A name is resolved at run time; a plugin object is imported statically, so bundlers keep it.
    provider: z.custom<string | PluginObject>((v) => isProviderPlugin(v) || (typeof v === "string" && v.length > 0), {
      error: (issue) =>
        typeof issue.input === "string"
          ? "expected a non-empty string"
          : "expected a provider name or a provider object (made with defineReranker & co.)",
    }),
    config: z.record(z.string(), z.unknown(), { error: "expected an object" }).optional(),
  }),
);

export type ProviderBlock = { provider: string | PluginObject; config?: Record<string, unknown> | undefined };

export const memoryConfigSchema = z.preprocess(
  (v, ctx) => snakeCaseChecked(v ?? {}, ctx),
  z
    .strictObject({
      vector_store: providerBlockSchema.optional(),
      embedder: providerBlockSchema.optional(),
      llm: providerBlockSchema.optional(),
      reranker: providerBlockSchema.optional(),
      history_db_path: fields.nonEmptyString().optional(),
      disable_history: z.boolean({ error: "expected a boolean" }).optional(),
      custom_fact_extraction_prompt: z.string({ error: "expected a string" }).optional(),
      custom_update_memory_prompt: z.string({ error: "expected a string" }).optional(),
      version: z.string({ error: "expected a string" }).optional(),
      /** mem0ai: extra instructions for the fact-extraction prompt. */
      custom_instructions: z.string({ error: "expected a string" }).optional(),
      /** mem0ai: `{ provider: "sqlite", config: { history_db_path } }` (camelCase accepted), or `memory`. */
      history_store: z
        .preprocess(
          snakeCaseKeys,
          z.strictObject({
            provider: fields.nonEmptyString(),
            config: z
              .preprocess(snakeCaseKeys, z.record(z.string(), z.unknown(), { error: "expected an object" }))
              .optional(),
          }),
        )
        .optional(),
      /** Mem0's graph memory: refused, see superRefine. */
      graph_store: z.unknown().optional(),
      /** Default for `search(…, { rerank_fallback })`: on reranker failure, return vector order. */
      rerank_fallback: z.boolean({ error: "expected a boolean" }).optional(),
      /**
       * Default for `search(…, { timeout_ms })`, retries included; unset: 10 s for hosted rerankers, none for
       * local ones.
       */
      rerank_timeout_ms: fields.positiveInt().optional(),
    })
    .superRefine((c, ctx) => {
      if (c.graph_store !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["graph_store"],
          message: "graph memory is not supported by mem0-ts; remove graph_store",
        });
      const historyStore = c.history_store;
      if (historyStore && !["sqlite", "memory"].includes(historyStore.provider))
        ctx.addIssue({
          code: "custom",
          path: ["history_store", "provider"],
          message: `history store "${historyStore.provider}" is not supported; use sqlite (history_db_path) or memory`,
        });
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
  custom_instructions?: string;
  history_store?: { provider: string; config?: Record<string, unknown> };
  graph_store?: unknown;
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
