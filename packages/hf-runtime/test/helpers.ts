/**
 * Shared by the tests of every local Hugging Face package: where the fixtures are, and a guard
 * that records (and refuses) any request leaving this machine.
 */
import { subscribe } from "node:diagnostics_channel";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { env as transformersEnv } from "@huggingface/transformers";

const FIXTURES = join(__dirname, "fixtures");
export const CROSS_ENCODER = join(FIXTURES, "tiny-bert-cross-encoder");
export const EMBEDDER = join(FIXTURES, "tiny-bert-embedder");

export interface ExpectedPair {
  query: string;
  document: string;
  input_ids: number[];
  token_type_ids: number[];
  logit: number;
  logit_unpadded: number;
}
export const expectedPairs = (): ExpectedPair[] =>
  JSON.parse(readFileSync(join(CROSS_ENCODER, "expected.json"), "utf8")).pairs;

export interface ExpectedSentence {
  text: string;
  input_ids: number[];
  mean_normalized: number[];
  cls_normalized: number[];
}
export const expectedSentences = (): ExpectedSentence[] =>
  JSON.parse(readFileSync(join(EMBEDDER, "expected.json"), "utf8")).sentences;

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

/**
 * Offline transformers.js (no hub, no file cache that could shadow the fixture folders) and a fetch
 * that lets only loopback through. `attempts` lists every other URL that something tried.
 */
export function offline(): { attempts: string[] } {
  const attempts: string[] = [];
  transformersEnv.allowRemoteModels = false;
  transformersEnv.useFSCache = false;
  const original = globalThis.fetch;
  const guarded = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (LOOPBACK.test(url)) return original(input, init);
    attempts.push(url);
    throw new Error(`network disabled in tests: ${url}`);
  }) as typeof fetch;
  globalThis.fetch = guarded;
  transformersEnv.fetch = guarded;
  // Hub downloads use undici's own fetch; its requests are seen (not refused) here.
  subscribe("undici:request:create", (message) => {
    const { request } = message as { request: { origin: string; path: string } };
    const url = `${request.origin}${request.path}`;
    if (!LOOPBACK.test(url)) attempts.push(url);
  });
  return { attempts };
}

/** A writable copy of a fixture folder, e.g. to remove a file or change tokenizer_config.json. */
export function copyFixture(folder: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mem0-hf-fixture-"));
  const target = join(dir, "model");
  cpSync(folder, target, { recursive: true });
  return target;
}

/** Why the reranker conformance suite's mid-call abort test is skipped for local cross-encoders. */
export const LOCAL_ABORT_SKIP =
  "a local cross-encoder has no slowDown: it scores five short documents in milliseconds; its abort between batches is tested in hf-runtime";
