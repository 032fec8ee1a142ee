import { ConfigError, type ProviderContext } from "@mem0/core";
import { Secret } from "./secret.js";

/**
 * The API key from the config, else from the first set environment variable of `envNames`, as a
 * `Secret` (trimmed once, here: `echo KEY >> .env` leaves a newline that must not reach a header
 * nor escape redaction). A missing key is a ConfigError naming the config path and the variables.
 */
export function resolveApiKey(options: {
  configured: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  envNames: readonly string[];
  /** Config path for the message, e.g. `reranker.config.api_key`. */
  path: string;
  /** Some OpenAI-compatible servers need no key. */
  optional?: boolean;
}): Secret | undefined {
  if (options.configured && options.configured.trim() !== "") return new Secret(options.configured);
  for (const name of options.envNames) {
    const value = options.env[name];
    if (value && value.trim() !== "") return new Secret(value);
  }
  if (options.optional) return undefined;
  throw new ConfigError([
    `${options.path}: missing API key; set it in the config or in ${options.envNames.join(" or ")}`,
  ]);
}

/** Like `resolveApiKey` for a required key: the Secret, or a ConfigError. */
export function requireApiKey(options: Omit<Parameters<typeof resolveApiKey>[0], "optional">): Secret {
  return resolveApiKey(options)!;
}

/**
 * Where a provider's `api_key` sits, from the context core gives it (`reranker.config.api_key`,
 * `reranker.config.llm.config.api_key` when nested); `role` covers contexts made without a path.
 */
export function apiKeyPath(ctx: Pick<ProviderContext, "path">, role: string): string {
  return `${ctx.path ?? `${role}.config`}.api_key`;
}

/**
 * The required API key of a provider core creates with `ctx`: from the config, else from `ctx.env`; a missing
 * key is a ConfigError naming where it sits (`apiKeyPath`) and the variables.
 */
export function contextApiKey(
  ctx: Pick<ProviderContext, "env" | "path">,
  role: string,
  configured: string | undefined,
  envNames: readonly string[],
): Secret {
  return requireApiKey({ configured, env: ctx.env, envNames, path: apiKeyPath(ctx, role) });
}
