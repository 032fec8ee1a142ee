/**
 * `openai` under `llm`: chat completions through the official SDK (openai@6; 7 needs Node 22),
 * against api.openai.com or any OpenAI-compatible `base_url` (vLLM, Ollama, LM Studio, a proxy).
 * JSON-schema structured output is requested with `strict: true` unless the caller says otherwise.
 * Usage, rate-limit headers and retries are reported into `options.meta`.
 */
import { defineLLM, fields, ProviderError, providerConfigSchema, type ChatMessage, type LLM } from "@mem0/core";
import {
  addCount,
  addCounts,
  badResponseError,
  connectionError,
  connectionErrorCode,
  hostedConfigShape,
  recordHeaders,
  resolveApiKey,
  retryPolicyFrom,
  statusError,
  timeoutError,
  withRetries,
  type RetryPolicy,
} from "@mem0/provider-utils";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { z } from "zod";

export const PROVIDER = "openai";
export const DEFAULT_MODEL = "gpt-4.1-nano";
export const DEFAULT_BASE_URL = "https://api.openai.com/v1";

export const configSchema = providerConfigSchema({
  model: fields.nonEmptyString().optional(),
  temperature: z.number({ error: "expected a number between 0 and 2" }).min(0, { error: "expected a number between 0 and 2" }).max(2, { error: "expected a number between 0 and 2" }).optional(),
  max_tokens: fields.positiveInt().optional(),
  ...hostedConfigShape(),
});
export type OpenAILLMConfig = z.output<typeof configSchema>;

type GenerateOptions = Parameters<LLM["generate"]>[1];

export class OpenAILLM implements LLM {
  readonly provider = PROVIDER;
  readonly model: string;
  readonly baseURL: string;
  private readonly client!: OpenAI;
  private readonly secrets!: string[];
  private readonly policy: Partial<RetryPolicy>;

  constructor(private readonly config: Omit<OpenAILLMConfig, "api_key">, apiKey: string, baseURL: string) {
    this.model = config.model ?? DEFAULT_MODEL;
    this.baseURL = baseURL;
    this.policy = retryPolicyFrom(config);
    // SDK retries off (maxRetries: 0): @mem0/provider-utils' withRetries explains why. The client
    // and the key stay out of enumerable fields, so logging this object never prints them.
    Object.defineProperty(this, "client", { enumerable: false, value: new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: (config.timeout_ms ?? 30_000) + 1000 }) });
    Object.defineProperty(this, "secrets", { enumerable: false, value: [apiKey] });
  }

  private classify(err: unknown): unknown {
    if (err instanceof APIConnectionTimeoutError) return timeoutError(PROVIDER, this.config.timeout_ms ?? 30_000);
    if (err instanceof APIError && typeof err.status === "number") return statusError(PROVIDER, err.status, { body: err.error, headers: err.headers, secrets: this.secrets });
    if (err instanceof APIConnectionError) return connectionError(PROVIDER, connectionErrorCode(err.cause) ?? "ECONNRESET");
    if ((err as { name?: unknown })?.name === "SyntaxError") return badResponseError(PROVIDER, "HTTP 200 body is not JSON");
    return err;
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
    if (format?.type === "json_object") body.response_format = { type: "json_object" };
    if (format?.type === "json_schema") body.response_format = { type: "json_schema", json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? true } };
    if (meta) addCount(meta, "prompt_chars", messages.reduce((s, m) => s + m.content.length, 0));

    const { data, response } = await withRetries(
      PROVIDER,
      async (signal) => {
        if (meta) addCount(meta, "calls", 1);
        try {
          return await this.client.chat.completions.create(body, { signal, maxRetries: 0 }).withResponse();
        } catch (err) {
          throw this.classify(err);
        }
      },
      { policy: this.policy, signal: options.signal, meta, secrets: this.secrets },
    );
    if (meta) {
      recordHeaders(meta, response.headers);
      addCounts(meta, "usage", { prompt_tokens: data.usage?.prompt_tokens, completion_tokens: data.usage?.completion_tokens });
    }
    const choice = data.choices?.[0];
    if (!choice) throw badResponseError(PROVIDER, "no choices in the answer");
    if (choice.message?.refusal) throw new ProviderError(PROVIDER, `the model refused: ${choice.message.refusal.slice(0, 200)}`, { retryable: false, code: "PROVIDER_REFUSED" });
    if (choice.finish_reason === "length") throw new ProviderError(PROVIDER, "the answer was cut off at max_tokens", { retryable: false, code: "PROVIDER_TRUNCATED" });
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
    const key = resolveApiKey({ configured: api_key, env: ctx.env, envNames: ["OPENAI_API_KEY"], path: "llm.config.api_key", optional: custom });
    return new OpenAILLM(config, key ?? "no-key", baseURL);
  },
});

// Types `provider: "openai"` blocks in Memory.fromConfig by declaration merging (core's config-types.ts).
declare global {
  namespace Mem0Config { interface LLMConfigs { openai: import("@mem0/core").PluginConfig<typeof plugin> } }
}

export default plugin;
