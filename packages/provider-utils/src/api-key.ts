import { ConfigError } from "@mem0/core";

/**
 * The API key from the config, else from the first set environment variable of `envNames`.
 * A missing key is a ConfigError naming the config path and the variables; never any value.
 */
export function resolveApiKey(options: {
  configured: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  envNames: readonly string[];
  /** Config path for the message, e.g. `reranker.config.api_key`. */
  path: string;
  /** Some OpenAI-compatible servers need no key. */
  optional?: boolean;
}): string | undefined {
  if (options.configured) return options.configured;
  for (const name of options.envNames) {
    const value = options.env[name];
    if (value && value.trim() !== "") return value;
  }
  if (options.optional) return undefined;
  throw new ConfigError([`${options.path}: missing API key; set it in the config or in ${options.envNames.join(" or ")}`]);
}
