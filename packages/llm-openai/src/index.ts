/**
 * `openai` under `llm`: chat completions through the official SDK (openai@6; 7 needs Node 22),
 * against api.openai.com or any OpenAI-compatible `base_url` (vLLM, Ollama, LM Studio, a proxy).
 * JSON-schema structured output is requested with `strict: true` unless the caller says otherwise.
 * Usage, rate-limit headers and retries are reported into `options.meta`.
 */
import { defineLLM, fields, ProviderError, providerConfigSchema, type ChatMessage, type LLM } from "@mem0/core";
import {
  addCount,
  apiKeyPath,
  addCounts,
  badResponseError,
  hostedConfigShape,
  recordHeaders,
  resolveApiKey,
  retryPolicyFrom,
  withRetries,
  type RetryPolicy,
  type Secret,
} from "@mem0/provider-utils";
import OpenAI from "openai";
import { z } from "zod";

export const PROVIDER = "openai";
export const DEFAULT_MODEL = "gpt-4.1-nano";
export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/**
 * Mem0's spellings of the endpoint: `openai_base_url` (Python) and `baseURL` (mem0ai, the SDK's),
 * both `base_url` here. Two spellings given at once stay as they are, so the clash is reported.
 */
function endpointSpellings(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const given = ["base_url", "baseUrl", "baseURL", "openai_base_url", "openaiBaseUrl"].filter((k) => k in value);
  if (given.length !== 1 || given[0] === "base_url" || given[0] === "baseUrl") return value;
  const { [given[0]!]: url, ...rest } = value as Record<string, unknown>;
  return { ...rest, base_url: url };
}

export const configSchema = z.preprocess(
  endpointSpellings,
  providerConfigSchema({
    model: fields.nonEmptyString().optional(),
    temperature: fields.numberBetween(0, 2).optional(),
    max_tokens: fields.positiveInt().optional(),
    /** Nucleus sampling, sent as OpenAI's `top_p`. */
    top_p: fields.numberBetween(0, 1).optional(),
    ...hostedConfigShape(),
  }),
);
export type OpenAILLMConfig = z.output<typeof configSchema>;

type GenerateOptions = Parameters<LLM["generate"]>[1];

export class OpenAILLM implements LLM {
  readonly provider = PROVIDER;
  readonly model: string;
  readonly baseURL: string;
  // The SDK client keeps the key in its options: a #private field, never printed or serialised.
  readonly #client: OpenAI;
  readonly #apiKey: Secret | undefined;
  readonly #policy: Partial<RetryPolicy>;

  constructor(
    private readonly config: Omit<OpenAILLMConfig, "api_key">,
    apiKey: Secret | undefined,
    baseURL: string,
  ) {
    this.model = config.model ?? DEFAULT_MODEL;
    this.baseURL = baseURL;
    this.#policy = retryPolicyFrom(config);
    this.#apiKey = apiKey;
    // SDK retries off (maxRetries: 0): provider-utils' withRetries is the one retry loop. The SDK's
    // timeout is a backstop just above our per-attempt timeout. A keyless server gets no header.
    this.#client = new OpenAI({
      apiKey: apiKey?.reveal() ?? "unused",
      baseURL,
      maxRetries: 0,
      timeout: (config.timeout_ms ?? 30_000) + 1000,
      ...(apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
    });
  }

  async generate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<string> {
    const meta = options.meta;
    const format = options.response_format;
    const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: this.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
    };
    if (this.config.temperature !== undefined) body.temperature = this.config.temperature;
    if (this.config.max_tokens !== undefined) body.max_tokens = this.config.max_tokens;
    if (this.config.top_p !== undefined) body.top_p = this.config.top_p;
    if (format?.type === "json_object") body.response_format = { type: "json_object" };
    if (format?.type === "json_schema")
      body.response_format = {
        type: "json_schema",
        json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? true },
      };
    if (meta)
      addCount(
        meta,
        "prompt_chars",
        messages.reduce((s, m) => s + m.content.length, 0),
      );

    const secrets = [this.#apiKey];
    const { data, response } = await withRetries(
      PROVIDER,
      (signal) => this.#client.chat.completions.create(body, { signal, maxRetries: 0 }).withResponse(),
      { policy: this.#policy, signal: options.signal, meta, secrets, countAttempts: "calls" },
    );
    if (meta) {
      recordHeaders(meta, response.headers, { secrets });
      addCounts(meta, "usage", {
        prompt_tokens: data.usage?.prompt_tokens,
        completion_tokens: data.usage?.completion_tokens,
      });
    }
    const choice = data.choices?.[0];
    if (!choice) throw badResponseError(PROVIDER, "no choices in the answer");
    if (choice.message?.refusal)
      throw new ProviderError(PROVIDER, `the model refused: ${choice.message.refusal.slice(0, 200)}`, {
        retryable: false,
        code: "PROVIDER_REFUSED",
      });
    if (choice.finish_reason === "length")
      throw new ProviderError(PROVIDER, "the answer was cut off at max_tokens", {
        retryable: false,
        code: "PROVIDER_TRUNCATED",
      });
    if (typeof choice.message?.content !== "string") throw badResponseError(PROVIDER, "the answer has no text content");
    return choice.message.content;
  }
}

export const plugin = defineLLM({
  provider: PROVIDER,
  configSchema,
  create({ api_key, ...config }, ctx) {
    // The SDK would read OPENAI_BASE_URL / OPENAI_API_KEY from process.env by itself; both are
    // resolved here from ctx.env instead, so `Memory.fromConfig(…, { env })` governs.
    const baseURL = config.base_url ?? ctx.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
    // A self-hosted OpenAI-compatible server often needs no key; api.openai.com always does.
    const custom = baseURL !== DEFAULT_BASE_URL;
    const key = resolveApiKey({
      configured: api_key,
      env: ctx.env,
      envNames: ["OPENAI_API_KEY"],
      path: apiKeyPath(ctx, "llm"),
      optional: custom,
    });
    return new OpenAILLM(config, key, baseURL);
  },
});

// Types `provider: "openai"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config {
    interface LLMConfigs {
      openai: import("@mem0/core").PluginConfig<typeof plugin>;
    }
  }
}

export default plugin;
