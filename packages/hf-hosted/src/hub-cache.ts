/**
 * Where huggingface_hub keeps models on disk, so the local providers, the mem0-ts demo and Python
 * tools share one copy. Here, not in hf-runtime, so the CLI can find cached models without native code.
 */
import { homedir } from "node:os";
import { join } from "node:path";

type Env = Readonly<Record<string, string | undefined>>;

/** huggingface_hub's cache folder: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub. */
export function hfCacheDir(env: Env): string {
  const xdgCache = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return env.HF_HUB_CACHE || join(env.HF_HOME || join(xdgCache, "huggingface"), "hub");
}

/** `models--owner--name`, as huggingface_hub names a model's cache folder. */
export const repoCacheFolder = (cacheDir: string, id: string) => join(cacheDir, `models--${id.split("/").join("--")}`);

let quietDownloads = 0;
let consoleDebug: typeof console.debug = console.debug;

/**
 * Runs `download` with @huggingface/hub's "Downloading {file} to {path}" lines held back: the
 * library writes them with console.debug, which is stdout, where a CLI's `--json` output goes.
 * Other console.debug output passes through. Nested and concurrent calls share one wrapper.
 */
export async function withQuietHubDownloads<T>(download: () => Promise<T>): Promise<T> {
  if (quietDownloads++ === 0) {
    consoleDebug = console.debug;
    console.debug = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].startsWith("Downloading ")) return;
      consoleDebug(...args);
    };
  }
  try {
    return await download();
  } finally {
    if (--quietDownloads === 0) console.debug = consoleDebug;
  }
}
