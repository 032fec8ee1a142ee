/**
 * Loading by hub id against a loopback fake hub (testkit's startFakeHfHub): one that serves the fixture
 * as repo `acme/tiny-cross-encoder`, one that hangs, one that stalls a body, one that wants a
 * token, and a closed port. Every test has its own Hugging Face cache (HF_HUB_CACHE).
 */
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { env as transformersEnv } from "@huggingface/transformers";
import { ProviderError } from "@mem0/core";
import { CrossEncoder, hfCacheDir, hubSettings, locateModel } from "../src/index.js";
import { FAKE_HF_COMMIT, hfHubFault, startFakeHfHub } from "@mem0/testkit";
import { CROSS_ENCODER, expectedPairs, offline } from "./helpers.js";

const network = offline();
const REPOS = { "acme/tiny-cross-encoder": CROSS_ENCODER };
const REPO_FOLDER = "models--acme--tiny-cross-encoder";
// offline() turns transformers.js's downloads off for the other suites; here the fake hub is the only hub.
beforeEach(() => {
  transformersEnv.allowRemoteModels = true;
});
afterEach(() => {
  transformersEnv.allowRemoteModels = false;
});

const newCache = () => mkdtempSync(join(tmpdir(), "mem0-hf-cache-"));

async function scoresLikeTheFixture(ce: CrossEncoder): Promise<void> {
  const pair = expectedPairs()[0]!;
  const [logit] = await ce.score(pair.query, [pair.document], { activation: "none" });
  expect(Math.abs(logit! - pair.logit)).toBeLessThan(1e-4);
}

test("a hub id is downloaded from HF_ENDPOINT into the Hugging Face cache, in huggingface_hub's layout, and scores like the folder", async () => {
  const hub = await startFakeHfHub(REPOS);
  const cache = newCache();
  // @huggingface/hub announces each file with console.debug (stdout, where a CLI's --json output goes).
  const debugLines: unknown[][] = [];
  const debug = console.debug;
  console.debug = (...args: unknown[]) => void debugLines.push(args);
  try {
    const ce = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache },
    });
    await scoresLikeTheFixture(ce);
    await ce.dispose();
    console.debug("a line of the caller's own");
  } finally {
    console.debug = debug;
    await hub.close();
  }
  expect(debugLines).toEqual([["a line of the caller's own"]]);
  expect(hub.requests).toContain("GET /api/models/acme/tiny-cross-encoder/revision/main");
  expect(hub.requests).toContain(`POST /api/models/acme/tiny-cross-encoder/paths-info/${FAKE_HF_COMMIT}`);
  expect(hub.requests).toContain(`GET /acme/tiny-cross-encoder/resolve/${FAKE_HF_COMMIT}/onnx/model.onnx`);
  // Only what transformers.js reads for fp32: not the q8 file, not vocab.txt.
  expect(hub.requests.some((r) => r.includes("model_quantized") || r.includes("vocab.txt"))).toBe(false);
  const repo = join(cache, REPO_FOLDER);
  expect(readFileSync(join(repo, "refs", "main"), "utf8")).toBe(FAKE_HF_COMMIT);
  const snapshot = join(repo, "snapshots", FAKE_HF_COMMIT);
  for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
    expect(lstatSync(join(snapshot, file)).isSymbolicLink()).toBe(true);
  }
  expect(readdirSync(join(repo, "blobs")).length).toBe(4);
});

test("a model in the cache (as the demo or huggingface_hub leave it) loads without asking the hub; HF_HOME is honoured", async () => {
  const home = newCache();
  const snapshot = join(home, "hub", REPO_FOLDER, "snapshots", "feedface");
  cpSync(CROSS_ENCODER, snapshot, { recursive: true });
  mkdirSync(join(home, "hub", REPO_FOLDER, "refs"));
  writeFileSync(join(home, "hub", REPO_FOLDER, "refs", "main"), "feedface");
  const hub = await startFakeHfHub(REPOS);
  try {
    const env = { HF_ENDPOINT: hub.url, HF_HOME: home };
    expect(hfCacheDir(env)).toBe(join(home, "hub"));
    const ce = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      dtype: "q8",
      device: "cpu",
      env,
    });
    await ce.dispose();
    const offlineLoad = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env: { ...env, HF_HUB_OFFLINE: "1" },
    });
    await scoresLikeTheFixture(offlineLoad);
    await offlineLoad.dispose();
  } finally {
    await hub.close();
  }
  expect(hub.requests).toEqual([]);
});

test("a download is reused: the second load (even with the hub gone) reads the cache", async () => {
  const hub = await startFakeHfHub(REPOS);
  const cache = newCache();
  const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache };
  await (
    await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", dtype: "q8", device: "cpu", env })
  ).dispose();
  await hub.close();
  const again = await CrossEncoder.load({
    provider: "test",
    model: "acme/tiny-cross-encoder",
    dtype: "q8",
    device: "cpu",
    env,
    threads: 1,
  });
  expect(again.dtype).toBe("q8");
  await again.dispose();
  // Only q8's ONNX file was fetched.
  expect(existsSync(join(cache, REPO_FOLDER, "snapshots", FAKE_HF_COMMIT, "onnx", "model.onnx"))).toBe(false);
});

test("a gated model: HF_TOKEN (reranker-hf's api_key for a local model) is sent to the hub as a bearer token", async () => {
  const seen: (string | undefined)[] = [];
  const hub = await startFakeHfHub(REPOS, (req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization === "Bearer hf_gated") return false;
    res
      .writeHead(401, { "content-type": "application/json" })
      .end(JSON.stringify({ error: "Access to model acme/tiny-cross-encoder is restricted" }));
    return true;
  });
  try {
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: newCache() };
    const denied = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env,
    }).catch((e) => e);
    expect(denied).toBeInstanceOf(ProviderError);
    expect(denied.message).toContain("Access to model acme/tiny-cross-encoder is restricted");
    expect(denied.retryable).toBe(false);
    const malformed = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env: { ...env, HF_TOKEN: "gated" },
    }).catch((e) => e);
    expect(malformed.message).toContain("must start with 'hf_'");
    expect(malformed.retryable).toBe(false);
    const ce = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env: { ...env, HF_TOKEN: "hf_gated" },
    });
    expect(seen).toContain("Bearer hf_gated");
    await ce.dispose();
  } finally {
    await hub.close();
  }
});

test("a hub that never answers fails within HF_HUB_ETAG_TIMEOUT, naming the model and where it looked", async () => {
  const hub = await startFakeHfHub(REPOS, () => true); // accepts, never responds
  const cache = newCache();
  try {
    const started = Date.now();
    const err = await CrossEncoder.load({
      provider: "sentence_transformer",
      model: "acme/ms-marco-hanging",
      device: "cpu",
      env: { HF_ENDPOINT: hub.url, HF_HUB_ETAG_TIMEOUT: "0.5", HF_HUB_CACHE: cache },
    }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('sentence_transformer: model "acme/ms-marco-hanging"');
    expect(err.message).toContain("no response within 500 ms (HF_HUB_ETAG_TIMEOUT)");
    expect(err.message).toContain(`the hub ${hub.url}/acme/ms-marco-hanging`);
    expect(err.message).toContain(`the Hugging Face cache ${join(cache, "models--acme--ms-marco-hanging")}`);
    expect(hub.requests.length).toBeGreaterThan(0);
  } finally {
    await hub.close();
  }
});

test("a download whose body stalls is abandoned after HF_HUB_DOWNLOAD_TIMEOUT; no partial file is linked; a retry completes", async () => {
  const cache = newCache();
  const stalled = await startFakeHfHub(
    REPOS,
    hfHubFault((file) => file === "onnx/model.onnx", "stall"),
  );
  const env = { HF_ENDPOINT: stalled.url, HF_HUB_CACHE: cache, HF_HUB_DOWNLOAD_TIMEOUT: "0.5" };
  try {
    const started = Date.now();
    const err = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env,
    }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("download stalled for 500 ms (HF_HUB_DOWNLOAD_TIMEOUT)");
    expect(existsSync(join(cache, REPO_FOLDER, "snapshots", FAKE_HF_COMMIT, "onnx", "model.onnx"))).toBe(false);
  } finally {
    await stalled.close();
  }
  const hub = await startFakeHfHub(REPOS);
  try {
    const ce = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env: { ...env, HF_ENDPOINT: hub.url },
    });
    await scoresLikeTheFixture(ce);
    await ce.dispose();
  } finally {
    await hub.close();
  }
});

test("the default hub timeouts are huggingface_hub's 10 s", () => {
  expect(hubSettings({}).timeoutMs).toBe(10_000);
  expect(hubSettings({}).downloadTimeoutMs).toBe(10_000);
  expect(hubSettings({ HF_HUB_ETAG_TIMEOUT: "2", HF_HUB_DOWNLOAD_TIMEOUT: "3" })).toMatchObject({
    timeoutMs: 2000,
    downloadTimeoutMs: 3000,
  });
});

test("the cache folder follows huggingface_hub: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub", () => {
  expect(hfCacheDir({ HF_HUB_CACHE: "/c", HF_HOME: "/h" })).toBe("/c");
  expect(hfCacheDir({ HF_HOME: "/h" })).toBe(join("/h", "hub"));
  expect(hfCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "huggingface", "hub"));
  expect(hfCacheDir({})).toMatch(/\.cache[\\/]huggingface[\\/]hub$/);
});

test("a model the hub does not have is a not-found error, not retryable", async () => {
  const hub = await startFakeHfHub(REPOS);
  try {
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: newCache() };
    const err = await CrossEncoder.load({ provider: "test", model: "acme/does-not-exist", device: "cpu", env }).catch(
      (e) => e,
    );
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(
      /model "acme\/does-not-exist" \(dtype fp32\) could not be loaded: Repository not found/,
    );
  } finally {
    await hub.close();
  }
});

test("a repo without the dtype's ONNX file names the file, is not retryable, and downloads nothing else", async () => {
  const hub = await startFakeHfHub(REPOS);
  try {
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: newCache() };
    const err = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      dtype: "fp16",
      device: "cpu",
      env,
    }).catch((e) => e);
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("the hub has no onnx/model_fp16.onnx in acme/tiny-cross-encoder");
    expect(err.message).toContain("Xenova/tiny-cross-encoder may have one");
    expect(hub.requests.filter((r) => r.includes("/resolve/")).every((r) => r.endsWith("config.json"))).toBe(true);
  } finally {
    await hub.close();
  }
});

test("an unreachable hub (connection refused) fails at once", async () => {
  const hub = await startFakeHfHub(REPOS);
  const url = hub.url;
  await hub.close();
  const started = Date.now();
  const env = { HF_ENDPOINT: url, HF_HUB_CACHE: newCache() };
  const err = await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", device: "cpu", env }).catch(
    (e) => e,
  );
  expect(Date.now() - started).toBeLessThan(2000);
  expect(err.code).toBe("MODEL_UNAVAILABLE");
  expect(err.retryable).toBe(true);
  expect(err.message).toMatch(/ECONNREFUSED/);
});

test("HF_HUB_OFFLINE=1, local_files_only and transformers.js env.allowRemoteModels = false never ask the hub, and say so", async () => {
  const hub = await startFakeHfHub(REPOS);
  const cache = newCache();
  try {
    for (const options of [
      { env: { HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: "1", HF_HUB_CACHE: cache } },
      { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache }, localFilesOnly: true },
    ]) {
      const err = await CrossEncoder.load({
        provider: "test",
        model: "acme/tiny-cross-encoder",
        device: "cpu",
        ...options,
      }).catch((e) => e);
      expect(err.code).toBe("MODEL_UNAVAILABLE");
      expect(err.retryable).toBe(false);
      expect(err.message).toContain(`Looked in the Hugging Face cache ${join(cache, REPO_FOLDER)}`);
      expect(err.message).toContain("the hub was not asked");
      expect(err.message).not.toContain("the hub http");
    }
    transformersEnv.allowRemoteModels = false;
    const err = await CrossEncoder.load({
      provider: "test",
      model: "acme/tiny-cross-encoder",
      device: "cpu",
      env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache },
    }).catch((e) => e);
    expect(err.message).toContain("env.allowRemoteModels = false is set, so the hub was not asked");
    expect(hub.requests).toEqual([]);
  } finally {
    await hub.close();
  }
});

describe("locateModel", () => {
  test("paths and existing folders are local; owner/name is a hub id", () => {
    expect(locateModel(CROSS_ENCODER)).toMatchObject({ isLocalFolder: true, ref: CROSS_ENCODER });
    expect(locateModel("./models/x")).toMatchObject({ isLocalFolder: true });
    expect(locateModel("../x")).toMatchObject({ isLocalFolder: true });
    expect(locateModel("Xenova/ms-marco-MiniLM-L-6-v2")).toEqual({
      requested: "Xenova/ms-marco-MiniLM-L-6-v2",
      ref: "Xenova/ms-marco-MiniLM-L-6-v2",
      isLocalFolder: false,
    });
    expect(locateModel("a/b/c")).toMatchObject({ isLocalFolder: true });
  });
});

test("only loopback requests were made", () => {
  expect(network.attempts).toEqual([]);
});
