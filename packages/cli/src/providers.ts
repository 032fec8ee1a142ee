/**
 * Turning a config file into a Memory. The CLI registers its own offline reranker (`bm25`), and
 * loads built-in provider packages from its own install location first: `npx mem0` may run from a
 * folder whose node_modules does not have them, while the CLI's own dependencies do.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  BUILTIN_PACKAGES,
  ConfigError,
  loadPluginPackage,
  Memory,
  registerProvider,
  type MemoryConfigInput,
  type Role,
} from "@mem0/core";
import { bm25Reranker } from "./bm25.js";
import { InputError, InputErrors } from "./errors.js";
import { readText } from "./inputs.js";
import { parseJsonSource, type JsonSource } from "./json-source.js";

/** The config file used when `--config` is not given and this file exists in the working directory. */
const DEFAULT_CONFIG_FILE = "mem0.config.json";

const ROLES: Role[] = ["vector_store", "embedder", "llm", "reranker"];

export function registerCliProviders(): void {
  registerProvider(bm25Reranker);
}

/**
 * Imports a provider package from the CLI's location (core's lookup with `from`) and registers its
 * plugins. Resolves to the reason when it cannot be loaded (not installed, or broken), so callers can say why.
 */
export async function loadProviderPackage(name: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const loaded = await loadPluginPackage(name, { from: import.meta.url });
  if (!loaded.ok) return loaded;
  for (const plugin of loaded.plugins) registerProvider(plugin);
  return { ok: true };
}

/** Pre-loads the built-in packages a config names; anything not found here is left to core's resolution. */
async function preloadProviders(config: Record<string, unknown>): Promise<void> {
  for (const role of ROLES) {
    const block = config[role] as { provider?: unknown } | undefined;
    const name = typeof block?.provider === "string" ? BUILTIN_PACKAGES[role][block.provider] : undefined;
    if (name) await loadProviderPackage(name);
  }
}

export interface LoadedConfig {
  file?: string;
  config: Record<string, unknown>;
  source?: JsonSource;
}

/** Reads `--config`, or ./mem0.config.json when present, or nothing (`fallback`). */
export function readConfig(
  file: string | undefined,
  fallback: Record<string, unknown> = {},
  cwd = process.cwd(),
): LoadedConfig {
  const path = file ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? resolve(cwd, DEFAULT_CONFIG_FILE) : undefined);
  if (!path) return { config: fallback };
  const source = parseJsonSource(readText(resolve(cwd, path)), file ?? DEFAULT_CONFIG_FILE);
  if (typeof source.value !== "object" || source.value === null || Array.isArray(source.value)) {
    throw new InputError(
      file ?? DEFAULT_CONFIG_FILE,
      1,
      undefined,
      "expected a JSON object with Mem0's config keys (vector_store, embedder, llm, reranker, …)",
    );
  }
  return { file: file ?? DEFAULT_CONFIG_FILE, config: source.value as Record<string, unknown>, source };
}

/** `Memory.fromConfig`, with config errors reported against the file's lines. */
export async function openMemory(
  loaded: LoadedConfig,
  env: Record<string, string | undefined> = process.env,
): Promise<Memory> {
  registerCliProviders();
  await preloadProviders(loaded.config);
  try {
    return await Memory.fromConfig(loaded.config as MemoryConfigInput, { env });
  } catch (err) {
    if (!(err instanceof ConfigError) || !loaded.file) throw err;
    throw new InputErrors(
      err.issues.map((issue) => {
        const at = issue.indexOf(": ");
        const field = at > 0 ? issue.slice(0, at) : undefined;
        const path = field && field !== "(root)" ? field.split(".") : [];
        return new InputError(
          loaded.file!,
          loaded.source?.lineOf(path) ?? undefined,
          field,
          at > 0 ? issue.slice(at + 2) : issue,
        );
      }),
    );
  }
}
