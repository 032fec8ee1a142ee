/**
 * Provider plugins and how a `{ provider, config }` block becomes an instance.
 *
 * A built-in provider name maps to its package (`cohere` → `@mem0/reranker-cohere`), imported only
 * when configured; any other name is taken as a package name (third-party plugins); and
 * `registerProvider` registers a plugin in-process.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import { isProviderPlugin, parseConfig, type MemoryConfig, type ProviderBlock } from "./config.js";
import { ConfigError, ProviderNotFoundError } from "./errors.js";
import type { Embedder, LLM, Reranker, VectorStore } from "./types.js";

export type Role = "vector_store" | "embedder" | "llm" | "reranker";

export interface RoleInstances {
  vector_store: VectorStore;
  embedder: Embedder;
  llm: LLM;
  reranker: Reranker;
}

export interface ProviderContext {
  /** Environment to read API keys from (defaults to process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** The whole validated Memory config (e.g. a store reads `embedder` dims from it). */
  config: MemoryConfig;
  /** The configured embedder's dimensions, once it is created (stores default to it). */
  embeddingDims?: number;
  /** Loads a nested provider, e.g. the LLM reranker's `llm` block. */
  load<R extends Role>(role: R, block: ProviderBlock, path: string): Promise<RoleInstances[R]>;
  /**
   * Where the provider's own config sits in the Memory config (`reranker.config`, or
   * `reranker.config.llm.config` for a nested one), so its messages name the right key.
   */
  path?: string;
}

/** The context for the provider whose config is at `path`. */
export function contextAt(ctx: ProviderContext, path: string): ProviderContext {
  return { ...ctx, path };
}

/**
 * The version of the provider contracts (types.ts) this core implements. `define*` stamps it on
 * every plugin, so a plugin built against another core is detected instead of misbehaving.
 */
export const SPECIFICATION_VERSION = "v1";

export interface ProviderPlugin<R extends Role = Role, C = unknown> {
  /** The contract version the plugin was written for; absent is taken as the current one (plugins made before versioning). */
  readonly specificationVersion?: string;
  readonly role: R;
  readonly provider: string;
  readonly configSchema: z.ZodType<C>;
  /**
   * Keys Mem0 documents that the schema accepts but that mean nothing here, with why: each one a
   * config gives becomes one `warning` event (never a silent accept, never a refusal).
   */
  readonly ignoredKeys?: Readonly<Record<string, string>>;
  create(config: C, ctx: ProviderContext): RoleInstances[R] | Promise<RoleInstances[R]>;
}

type Definition<R extends Role, S extends z.ZodType> = {
  specificationVersion?: string;
  provider: string;
  configSchema: S;
  ignoredKeys?: Readonly<Record<string, string>>;
  create(config: z.output<S>, ctx: ProviderContext): RoleInstances[R] | Promise<RoleInstances[R]>;
};

/** A plugin that keeps its schema's type, so a config naming it (by name or as an object) is typed. */
export type DefinedPlugin<R extends Role, S extends z.ZodType> = ProviderPlugin<R, z.output<S>> & {
  readonly configSchema: S;
};

function define<R extends Role>(role: R) {
  return <S extends z.ZodType>(def: Definition<R, S>): DefinedPlugin<R, S> =>
    ({ specificationVersion: SPECIFICATION_VERSION, role, ...def }) as unknown as DefinedPlugin<R, S>;
}

export const defineReranker = define("reranker");
export const defineVectorStore = define("vector_store");
export const defineEmbedder = define("embedder");
export const defineLLM = define("llm");

/** Built-in provider names and the package that implements each. */
export const BUILTIN_PACKAGES: Record<Role, Record<string, string>> = {
  reranker: {
    cohere: "@mem0/reranker-cohere",
    sentence_transformer: "@mem0/reranker-sentence-transformer",
    huggingface: "@mem0/reranker-hf",
    llm_reranker: "@mem0/reranker-llm",
    zero_entropy: "@mem0/reranker-zeroentropy",
  },
  vector_store: { sqlite: "@mem0/store-sqlite", qdrant: "@mem0/store-qdrant" },
  embedder: { openai: "@mem0/embedder-openai", huggingface: "@mem0/embedder-huggingface" },
  llm: { openai: "@mem0/llm-openai" },
};

/** Refuses a plugin written for another contract version, naming the plugin and both versions. */
export function checkSpecificationVersion(
  plugin: Pick<ProviderPlugin, "role" | "provider" | "specificationVersion">,
  path: string = plugin.role,
): void {
  const version = plugin.specificationVersion;
  if (version === undefined || version === SPECIFICATION_VERSION) return;
  throw new ConfigError([
    `${path}.provider: ${plugin.role} plugin ${JSON.stringify(plugin.provider)} targets provider specification ${JSON.stringify(version)}, ` +
      `but this @mem0/core implements ${JSON.stringify(SPECIFICATION_VERSION)}; install a release of the plugin and @mem0/core that agree`,
  ]);
}

const registry = new Map<string, ProviderPlugin<Role, unknown>>();
const keyOf = (role: Role, provider: string) => `${role}\u0000${provider}`;

/** Registers a plugin in-process; it wins over a package of the same provider name. */
export function registerProvider(plugin: ProviderPlugin<Role, any>): void {
  registry.set(keyOf(plugin.role, plugin.provider), plugin as ProviderPlugin<Role, unknown>);
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

function isModuleNotFound(err: unknown, specifier: string): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code !== "ERR_MODULE_NOT_FOUND" && e?.code !== "MODULE_NOT_FOUND") return false;
  // Only "this package is missing", not "this package is there but one of its imports is not".
  return (
    typeof e.message === "string" && (e.message.includes(`'${specifier}'`) || e.message.includes(`"${specifier}"`))
  );
}

/**
 * Imports a provider package. Tries core's own resolution first (npm's hoisted layout), then the
 * application's (pnpm's strict layout, where core cannot see packages the app installed): from the
 * working directory, then from the entry script's folder, for apps started from elsewhere
 * (`node apps/web/main.js` at a repository root, a service manager's working directory).
 */
async function importPackage(name: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (err) {
    if (!isModuleNotFound(err, name)) throw err;
  }
  const bases = [process.cwd(), ...(process.argv[1] ? [dirname(process.argv[1])] : [])];
  for (const base of bases) {
    let resolved: string;
    try {
      resolved = createRequire(join(base, "noop.js")).resolve(name);
    } catch {
      continue;
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
  return undefined;
}

function pluginsIn(mod: Record<string, unknown>): ProviderPlugin[] {
  const found: unknown[] = [];
  const visit = (m: unknown) => {
    if (!m || typeof m !== "object") return;
    const rec = m as Record<string, unknown>;
    found.push(rec.default, rec.plugin, ...(Array.isArray(rec.plugins) ? rec.plugins : []));
  };
  visit(mod);
  visit(mod.default); // CommonJS interop puts the module under `default`.
  return found.filter(isProviderPlugin);
}

export async function resolvePlugin(role: Role, provider: string, path: string): Promise<ProviderPlugin> {
  const registered = registry.get(keyOf(role, provider));
  if (registered) return registered;

  // Own keys only: `constructor` or `toString` must not resolve to Object.prototype's functions.
  const builtin = Object.hasOwn(BUILTIN_PACKAGES[role], provider) ? BUILTIN_PACKAGES[role][provider] : undefined;
  const packageName = builtin ?? provider;
  if (!builtin && !PACKAGE_NAME.test(provider)) {
    const names = [
      ...new Set([
        ...Object.keys(BUILTIN_PACKAGES[role]),
        ...[...registry.values()].filter((p) => p.role === role).map((p) => p.provider),
      ]),
    ];
    throw new ConfigError([
      `${path}.provider: unknown ${role} provider ${JSON.stringify(provider)} (built-in: ${names.join(", ")}; or a plugin package name)`,
    ]);
  }
  const mod = await importPackage(packageName);
  if (!mod) {
    throw new ProviderNotFoundError(
      role,
      provider,
      packageName,
      `package ${packageName} is not installed; install it with \`npm install ${packageName}\``,
    );
  }
  const plugin = pluginsIn(mod).find((p) => p.role === role && (!builtin || p.provider === provider));
  if (!plugin) {
    throw new ProviderNotFoundError(
      role,
      provider,
      packageName,
      `package ${packageName} does not export a ${role} plugin (export one made with define${role === "vector_store" ? "VectorStore" : role === "llm" ? "LLM" : role[0]!.toUpperCase() + role.slice(1)} as default or as \`plugin\`)`,
    );
  }
  registry.set(keyOf(role, provider), plugin);
  return plugin;
}

/** A plugin with its validated config, ready to create. */
export interface PreparedProvider<R extends Role = Role> {
  plugin: ProviderPlugin<R>;
  config: unknown;
  /** One per ignored key the config gives: `{ key: "reranker.config.show_progress_bar", message }`. */
  warnings: ConfigWarning[];
}

/** A documented key that is accepted but has no effect, and why. */
export interface ConfigWarning {
  /** `IGNORED_KEY`: a documented Mem0 key with no effect here; `DEFAULT_EMBEDDER`: none configured. */
  code: string;
  /** The config path the warning is about. */
  key: string;
  message: string;
}

/** Resolves a block's plugin and validates its config, without creating anything. */
export async function prepareProvider<R extends Role>(
  role: R,
  block: ProviderBlock,
  path: string,
): Promise<PreparedProvider<R>> {
  const plugin = (
    typeof block.provider === "string" ? await resolvePlugin(role, block.provider, path) : block.provider
  ) as ProviderPlugin<R>;
  checkSpecificationVersion(plugin, path);
  if (plugin.role !== role) {
    throw new ConfigError([
      `${path}.provider: the ${plugin.role} plugin ${JSON.stringify(plugin.provider)} where a ${role} is expected`,
    ]);
  }
  const config = parseConfig(plugin.configSchema, block.config ?? {}, `${path}.config`);
  const given = config && typeof config === "object" ? (config as Record<string, unknown>) : {};
  const warnings = Object.entries(plugin.ignoredKeys ?? {})
    .filter(([key]) => given[key] !== undefined)
    .map(([key, why]) => ({
      code: "IGNORED_KEY",
      key: `${path}.config.${key}`,
      message: `${path}.config.${key} has no effect: ${why}`,
    }));
  return { plugin, config, warnings };
}

export function createContext(
  config: MemoryConfig,
  env: Readonly<Record<string, string | undefined>>,
): ProviderContext {
  const ctx: ProviderContext = {
    env,
    config,
    async load(role, block, path) {
      const prepared = await prepareProvider(role, block, path);
      return prepared.plugin.create(prepared.config, contextAt(ctx, `${path}.config`));
    },
  };
  return ctx;
}
