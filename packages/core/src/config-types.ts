/**
 * Compile-time types for `Memory.fromConfig`. Each provider package adds its config's input type,
 * keyed by provider name, by declaration merging, derived from the same zod schema that validates
 * the config at run time (no second copy):
 *
 *   declare global {
 *     namespace Mem0Config {
 *       interface RerankerConfigs { cohere: ConfigInput<typeof configSchema> }
 *     }
 *   }
 *
 * The registries are global rather than a module augmentation of "@mem0/core" so that one
 * augmentation reaches both core's ES module declarations and its CommonJS ones (`.d.cts`).
 * A known provider's options are checked (and completed by editors); any other provider string, a
 * third-party package name, type-checks against a loose record; a plugin object's config is
 * checked against that plugin's own schema.
 */
import type { z } from "zod";
import type { MemoryConfig, PluginObject } from "./config.js";
import type { ProviderPlugin, Role } from "./providers.js";
import type { rerankCacheSchema } from "./rerank-cache.js";

declare global {
  namespace Mem0Config {
    interface RerankerConfigs {}
    interface VectorStoreConfigs {}
    interface EmbedderConfigs {}
    interface LLMConfigs {}
  }
}

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
/** `top_k` → `topK`, as the run-time config accepts. */
export type CamelCaseKeys<T> = { [K in keyof T as K extends string ? Camel<K> : K]: T[K] };

/** The options a provider config schema (made with `providerConfigSchema`) accepts: snake_case or camelCase keys. */
export type ConfigInput<S> =
  S extends z.ZodPipe<infer _In, infer Out>
    ? Out extends z.ZodPipe<infer _InnerIn, infer _InnerOut>
      ? ConfigInput<Out> // a provider's own preprocess (e.g. Mem0's key aliases) around providerConfigSchema
      : z.input<Out> | CamelCaseKeys<z.input<Out>>
    : z.input<S>;

export interface ProviderConfigsByRole {
  reranker: Mem0Config.RerankerConfigs;
  vector_store: Mem0Config.VectorStoreConfigs;
  embedder: Mem0Config.EmbedderConfigs;
  llm: Mem0Config.LLMConfigs;
}

/** Provider names whose config types are known (their packages' declarations are loaded). */
export type KnownProvider<R extends Role> = keyof ProviderConfigsByRole[R] & string;

/** A plugin of role R with any config type (`unknown` would not do: `create`'s parameter is contravariant). */
// biome-ignore lint/suspicious/noExplicitAny: the one place the config type is left open
type AnyConfigPlugin<R extends Role> = ProviderPlugin<R, any>;

/**
 * What a block's `provider` may be: a known name (completed), any package name, or a plugin object
 * (`ProviderPlugin` of any role, so an already-typed `MemoryConfig` value passes; a plugin of a
 * known other role is rejected by `TypedProviderBlock`; a `PluginObject` out of a validated config is
 * loose).
 */
export type ProviderRef<R extends Role> =
  | KnownProvider<R>
  | (string & {})
  | AnyConfigPlugin<R>
  | ProviderPlugin
  | PluginObject;

/**
 * A `{ provider, config }` block whose `config` is typed by what `provider` is. A `provider` typed
 * as any string (a `MemoryConfig` built elsewhere) is loose: only literals can be checked.
 */
export type TypedProviderBlock<R extends Role, P> = [string] extends [P]
  ? { provider: P; config?: Record<string, unknown> }
  : CheckedBlock<R, P>;

/** Keys core takes out of a block before the provider's schema sees it: the reranker's `cache`. */
type CoreKeys<R extends Role, C> = R extends "reranker" ? C & { cache?: z.input<typeof rerankCacheSchema> } : C;

type CheckedBlock<R extends Role, P> = P extends { readonly role: R; readonly configSchema: infer S }
  ? { provider: P; config?: CoreKeys<R, ConfigInput<S>> }
  : P extends { readonly role: infer Other }
    ? Role extends Other
      ? { provider: P; config?: Record<string, unknown> }
      : { provider: AnyConfigPlugin<R>; config?: Record<string, unknown> }
    : P extends KnownProvider<R>
      ? { provider: P; config?: CoreKeys<R, ProviderConfigsByRole[R][P]> }
      : { provider: P; config?: Record<string, unknown> };

/** The keys besides the provider blocks, as the run-time schema has them. */
type TopLevelOptions = Omit<MemoryConfig, Role>;

/** `Memory.fromConfig`'s argument: Mem0's keys (or their camelCase spellings), provider blocks typed. */
export type TypedMemoryConfig<
  V = ProviderRef<"vector_store">,
  E = ProviderRef<"embedder">,
  L = ProviderRef<"llm">,
  R = ProviderRef<"reranker">,
> = {
  vector_store?: TypedProviderBlock<"vector_store", V>;
  vectorStore?: TypedProviderBlock<"vector_store", V>;
  embedder?: TypedProviderBlock<"embedder", E>;
  llm?: TypedProviderBlock<"llm", L>;
  reranker?: TypedProviderBlock<"reranker", R>;
} & TopLevelOptions &
  Partial<CamelCaseKeys<TopLevelOptions>>;

/** The config a plugin made with `defineReranker` & co. accepts; what a provider package registers. */
export type PluginConfig<P> = P extends { readonly configSchema: infer S } ? ConfigInput<S> : never;
