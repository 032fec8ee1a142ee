/**
 * Provider plugins and how a `{ provider, config }` block becomes an instance.
 *
 * A built-in provider name maps to its package (`cohere` → `@mem0/reranker-cohere`), imported only
 * when configured; any other name is taken as a package name (third-party plugins); and
 * `registerProvider` registers a plugin in-process. Package lookup is written here once: the CLI
 * and plugins that load nested providers (reranker-llm's LLM) use it with their own location.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import { isProviderPlugin, parseConfig, type MemoryConfig, type ProviderBlock } from "./config.js";
import { ConfigError, errorMessage, ProviderNotFoundError } from "./errors.js";
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
  /**
   * The configured embedder's dimensions, in the vector store's context only (stores size a new
   * collection from them): `Memory.fromConfig` creates the embedder first for this.
   */
  readonly embeddingDims?: number;
  /**
   * Loads a nested provider, e.g. the LLM reranker's `llm` block; `lookup.from` (the plugin's own
   * `import.meta.url`) also finds packages installed beside the plugin.
   */
  load<R extends Role>(role: R, block: ProviderBlock, path: string, lookup?: PluginLookup): Promise<RoleInstances[R]>;
  /**
   * Where the provider's own config sits in the Memory config (`reranker.config`, or
   * `reranker.config.llm.config` for a nested one), so its messages name the right key.
   */
  path?: string;
}

/** Where to look for a plugin package besides core's own location, the working directory and the entry script's. */
export interface PluginLookup {
  /**
   * A module of the caller (`import.meta.url`, a file URL or an absolute file path): packages
   * installed beside it are found where core cannot see them (pnpm's strict layout, a CLI's own
   * dependencies).
   */
  from?: string | URL;
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
  /**
   * The contract version the plugin was written for; absent is taken as the current one (plugins
   * made before versioning).
   */
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

/** The `define*` helper that makes a plugin of each role, for messages. */
const DEFINE_FUNCTIONS: Record<Role, string> = {
  reranker: "defineReranker",
  vector_store: "defineVectorStore",
  embedder: "defineEmbedder",
  llm: "defineLLM",
};

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
    `${path}.provider: ${plugin.role} plugin ${JSON.stringify(plugin.provider)} targets provider specification ` +
      `${JSON.stringify(version)}, but this @mem0/core implements ${JSON.stringify(SPECIFICATION_VERSION)}; ` +
      "install a release of the plugin and @mem0/core that agree",
  ]);
}

const registry = new Map<string, ProviderPlugin<Role, unknown>>();
const keyOf = (role: Role, provider: string) => `${role}\u0000${provider}`;

/** Registers a plugin in-process; it wins over a package of the same provider name. */
// biome-ignore lint/suspicious/noExplicitAny: create() takes each plugin's own config type; only any accepts all
export function registerProvider(plugin: ProviderPlugin<Role, any>): void {
  registry.set(keyOf(plugin.role, plugin.provider), plugin as ProviderPlugin<Role, unknown>);
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

function isModuleNotFound(err: unknown, specifier: string): boolean {
  const { code, message } = (err ?? {}) as { code?: string; message?: unknown };
  if (typeof message !== "string") return false;
  // Jest's module map reports a missing workspace package with neither code nor quotes.
  if (message.startsWith(`Could not locate module ${specifier} `)) return true;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  // Only "this package is missing", not "this package is there but one of its imports is not".
  return message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`);
}

/**
 * Imports a provider package; undefined when it is not installed (a package that is there but
 * fails to load throws). Tries core's own resolution first (npm's hoisted layout), then the
 * caller's location (`lookup.from`), then the application's (pnpm's strict layout, where core
 * cannot see packages the app installed): from the working directory, then from the entry
 * script's folder, for apps started from elsewhere (`node apps/web/main.js` at a repository root,
 * a service manager's working directory).
 */
async function importPackage(name: string, lookup: PluginLookup = {}): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (err) {
    if (!isModuleNotFound(err, name)) throw err;
  }
  const bases: (string | URL)[] = [
    ...(lookup.from !== undefined ? [lookup.from] : []),
    join(process.cwd(), "noop.js"),
    ...(process.argv[1] ? [join(dirname(process.argv[1]), "noop.js")] : []),
  ];
  for (const base of bases) {
    let resolved: string;
    try {
      resolved = createRequire(base).resolve(name);
    } catch {
      continue;
    }
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
  return undefined;
}

/** The provider plugins a package exports: as default, as `plugin`, or in `plugins`. */
function pluginsIn(mod: Record<string, unknown>): ProviderPlugin[] {
  const found: unknown[] = [];
  const visit = (exported: unknown) => {
    if (!exported || typeof exported !== "object") return;
    const namespace = exported as Record<string, unknown>;
    found.push(namespace.default, namespace.plugin, ...(Array.isArray(namespace.plugins) ? namespace.plugins : []));
  };
  visit(mod);
  visit(mod.default); // CommonJS interop puts the module under `default`.
  return [...new Set(found)].filter(isProviderPlugin) as ProviderPlugin[];
}

/** A package's plugins, or why it has none to give (not installed, failed to load, exports none). */
export type PluginPackage = { ok: true; plugins: ProviderPlugin[] } | { ok: false; reason: string };

/** Imports a package (see `importPackage`) and lists its plugins, never throwing: for callers that report. */
export async function loadPluginPackage(name: string, lookup: PluginLookup = {}): Promise<PluginPackage> {
  let mod: Record<string, unknown> | undefined;
  try {
    mod = await importPackage(name, lookup);
  } catch (err) {
    return { ok: false, reason: `${name} failed to load: ${errorMessage(err)}` };
  }
  if (!mod) return { ok: false, reason: `${name} is not installed` };
  const plugins = pluginsIn(mod);
  if (plugins.length === 0) return { ok: false, reason: `${name} exports no provider plugin` };
  return { ok: true, plugins };
}

export async function resolvePlugin(
  role: Role,
  provider: string,
  path: string,
  lookup: PluginLookup = {},
): Promise<ProviderPlugin> {
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
      `${path}.provider: unknown ${role} provider ${JSON.stringify(provider)} ` +
        `(built-in: ${names.join(", ")}; or a plugin package name)`,
    ]);
  }
  const mod = await importPackage(packageName, lookup);
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
      `package ${packageName} does not export a ${role} plugin ` +
        `(export one made with ${DEFINE_FUNCTIONS[role]} as default or as \`plugin\`)`,
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
  lookup: PluginLookup = {},
): Promise<PreparedProvider<R>> {
  const plugin = (
    typeof block.provider === "string" ? await resolvePlugin(role, block.provider, path, lookup) : block.provider
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
    async load(role, block, path, lookup) {
      const prepared = await prepareProvider(role, block, path, lookup);
      return prepared.plugin.create(prepared.config, contextAt(ctx, `${path}.config`));
    },
  };
  return ctx;
}
