/**
 * Loading by hub id against loopback servers standing in for the hub's file routes
 * (`/{model}/resolve/{revision}/{file}`): one that serves the fixture, one that hangs, one that
 * answers 404, and a closed port.
 */
import { createReadStream, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { env as transformersEnv } from "@huggingface/transformers";
import { ProviderError } from "@mem0/core";
import { CrossEncoder, hubSettings, locateModel } from "../src/index.js";
import { CROSS_ENCODER, expectedPairs, offline } from "./helpers.js";

const network = offline();

interface Hub {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function startHub(handler: (path: string, res: import("node:http").ServerResponse) => void): Promise<Hub> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    handler(decodeURIComponent(req.url ?? ""), res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Serves the fixture folder as the hub would serve repo `acme/tiny-cross-encoder`. */
const fixtureHub = (path: string, res: import("node:http").ServerResponse) => {
  const match = /^\/acme\/tiny-cross-encoder\/resolve\/main\/(.+)$/.exec(path);
  const file = match ? join(CROSS_ENCODER, match[1]!) : "";
  if (!match || !existsSync(file) || match[1]!.includes("..")) {
    res.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");
    return;
  }
  res.writeHead(200, { "content-length": String(statSync(file).size) });
  createReadStream(file).pipe(res);
};

beforeEach(() => {
  transformersEnv.allowRemoteModels = true;
});
afterEach(() => {
  transformersEnv.allowRemoteModels = false;
});

test("a hub id is fetched from HF_ENDPOINT into the file cache and scores like the local folder", async () => {
  const hub = await startHub(fixtureHub);
  // In Node, transformers.js hands onnxruntime a file path, so a downloaded model goes through its file cache.
  transformersEnv.useFSCache = true;
  transformersEnv.cacheDir = mkdtempSync(join(tmpdir(), "mem0-hf-cache-"));
  try {
    const ce = await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", device: "cpu", env: { HF_ENDPOINT: hub.url } });
    const p = expectedPairs()[0]!;
    const [logit] = await ce.score(p.query, [p.document], { activation: "none" });
    expect(Math.abs(logit! - p.logit)).toBeLessThan(1e-4);
    expect(hub.requests).toContain("/acme/tiny-cross-encoder/resolve/main/onnx/model.onnx");
    expect(existsSync(join(transformersEnv.cacheDir!, "acme/tiny-cross-encoder/onnx/model.onnx"))).toBe(true);
    await ce.dispose();
  } finally {
    transformersEnv.useFSCache = false;
    await hub.close();
  }
});

test("a gated model: HF_TOKEN (reranker-hf's api_key for a local model) is sent to the hub as a bearer token", async () => {
  const seen: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== "Bearer hf_gated") {
      res.writeHead(401, { "content-type": "text/plain" }).end("Access to model acme/tiny-cross-encoder is restricted");
      return;
    }
    fixtureHub(decodeURIComponent(req.url ?? ""), res);
  });
  server.on("connection", (c) => (sockets.add(c), c.on("close", () => sockets.delete(c))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transformersEnv.useFSCache = true;
  transformersEnv.cacheDir = mkdtempSync(join(tmpdir(), "mem0-hf-gated-"));
  try {
    const denied = await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", device: "cpu", env: { HF_ENDPOINT: url } }).catch((e) => e);
    expect(denied).toBeInstanceOf(ProviderError);
    const ce = await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", device: "cpu", env: { HF_ENDPOINT: url, HF_TOKEN: "hf_gated" } });
    expect(seen).toContain("Bearer hf_gated");
    await ce.dispose();
  } finally {
    transformersEnv.useFSCache = false;
    for (const c of sockets) c.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a hub that never answers fails within HF_HUB_ETAG_TIMEOUT, naming the model and where it looked", async () => {
  const hub = await startHub(() => undefined); // accepts, never responds
  try {
    const started = Date.now();
    const err = await CrossEncoder.load({
      provider: "sentence_transformer",
      model: "acme/ms-marco-hanging",
      device: "cpu",
      env: { HF_ENDPOINT: hub.url, HF_HUB_ETAG_TIMEOUT: "0.5" },
    }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('sentence_transformer: model "acme/ms-marco-hanging"');
    expect(err.message).toContain("no response within 500 ms");
    expect(err.message).toContain(`the hub ${hub.url}/acme/ms-marco-hanging`);
    expect(err.message).toMatch(/the local model path .*acme\/ms-marco-hanging/);
    expect(hub.requests.length).toBeGreaterThan(0);
  } finally {
    await hub.close();
  }
});

test("the default hub timeout is huggingface_hub's 10 s", () => {
  expect(hubSettings({}).timeoutMs).toBe(10_000);
  expect(hubSettings({ HF_HUB_ETAG_TIMEOUT: "2" }).timeoutMs).toBe(2000);
});

test("a model the hub does not have is a not-found error, not retryable", async () => {
  const hub = await startHub(fixtureHub);
  try {
    const err = await CrossEncoder.load({ provider: "test", model: "acme/does-not-exist", device: "cpu", env: { HF_ENDPOINT: hub.url } }).catch((e) => e);
    expect(err.code).toBe("MODEL_UNAVAILABLE");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/\(config\.json\) could not be loaded: Could not locate file: "http:\/\/127\.0\.0\.1:\d+\/acme\/does-not-exist\/resolve\/main\/config\.json"/);
  } finally {
    await hub.close();
  }
});

test("an unreachable hub (connection refused) fails at once", async () => {
  const hub = await startHub(fixtureHub);
  const url = hub.url;
  await hub.close();
  const started = Date.now();
  const err = await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", device: "cpu", env: { HF_ENDPOINT: url } }).catch((e) => e);
  expect(Date.now() - started).toBeLessThan(2000);
  expect(err.code).toBe("MODEL_UNAVAILABLE");
  expect(err.message).toMatch(/ECONNREFUSED/);
});

test("HF_HUB_OFFLINE=1 and local_files_only never ask the hub, and say so", async () => {
  const hub = await startHub(fixtureHub);
  try {
    for (const options of [{ env: { HF_ENDPOINT: hub.url, HF_HUB_OFFLINE: "1" } }, { env: { HF_ENDPOINT: hub.url }, localFilesOnly: true }]) {
      const err = await CrossEncoder.load({ provider: "test", model: "acme/tiny-cross-encoder", device: "cpu", ...options }).catch((e) => e);
      expect(err.code).toBe("MODEL_UNAVAILABLE");
      expect(err.message).toContain("the hub was not asked");
      expect(err.message).not.toContain("the hub http");
    }
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
    expect(locateModel("Xenova/ms-marco-MiniLM-L-6-v2")).toEqual({ requested: "Xenova/ms-marco-MiniLM-L-6-v2", ref: "Xenova/ms-marco-MiniLM-L-6-v2", isLocalFolder: false });
    expect(locateModel("a/b/c")).toMatchObject({ isLocalFolder: true });
  });
});

test("only loopback requests were made", () => {
  expect(network.attempts).toEqual([]);
});
