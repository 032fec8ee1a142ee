import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import {
  bufferIo,
  cachedModelFolder,
  downloadModel,
  hasModelFiles,
  HF_RERANKER,
  MODEL_FILES,
  probeHub,
} from "@mem0/ts-cli";
import { hfHubFault } from "@mem0/testkit";
import { startHub, TINY_BERT, tempDir } from "./helpers.js";

/** A stream that says it is a terminal, so progress bars draw into it. */
function fakeTty() {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 100,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let text = "";
  stream.on("data", (d) => (text += d));
  return { stream: stream, text: () => text };
}

test("probe: a reachable hub, a 404, a refused connection, a hub that never answers", async () => {
  const hub = await startHub();
  expect(await probeHub(hub.url, HF_RERANKER, 2000)).toEqual({ ok: true });
  expect(hub.requests).toEqual(["HEAD /Xenova/ms-marco-MiniLM-L-6-v2/resolve/main/config.json"]);
  expect(await probeHub(hub.url, { ...HF_RERANKER, id: "no/such" }, 2000)).toEqual({
    ok: false,
    reason: `${hub.url} answered 404 for no/such`,
  });
  await hub.close();

  const missing = await startHub(hfHubFault(() => true, { status: 404 }));
  expect(await probeHub(missing.url, HF_RERANKER, 2000)).toEqual({
    ok: false,
    reason: `${missing.url} answered 404 for Xenova/ms-marco-MiniLM-L-6-v2`,
  });
  await missing.close();

  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const freePort = (probe.address() as { port: number }).port;
      probe.close(() => resolve(freePort));
    });
  });
  expect(await probeHub(`http://127.0.0.1:${port}`, HF_RERANKER, 2000)).toEqual({
    ok: false,
    reason: `http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`,
  });

  const silent = await startHub(hfHubFault(() => true, "hang"));
  const t0 = Date.now();
  expect(await probeHub(silent.url, HF_RERANKER, 300)).toEqual({
    ok: false,
    reason: `${silent.url} is unreachable (no answer within 300 ms)`,
  });
  expect(Date.now() - t0).toBeLessThan(2000);
  await silent.close();
});

test("download: every file, byte for byte, into the Hugging Face cache layout, with a progress bar on a terminal", async () => {
  const hub = await startHub();
  const cache = join(tempDir(), "hub");
  const tty = fakeTty();
  let folder: string;
  const debugLines: unknown[] = [];
  const debug = console.debug;
  console.debug = (...args: unknown[]) => void debugLines.push(args); // @huggingface/hub's console.debug goes to stdout
  try {
    folder = await downloadModel(hub.url, HF_RERANKER, cache, bufferIo({ progressStream: tty.stream }), {
      headersTimeoutMs: 2000,
    });
  } finally {
    console.debug = debug;
    await hub.close();
  }
  expect(debugLines).toEqual([]);
  // Every file in the snapshot of the commit main is at, although each file's last commit differs.
  expect(folder).toBe(
    join(cache, "models--Xenova--ms-marco-MiniLM-L-6-v2", "snapshots", "0123456789abcdef0123456789abcdef01234567"),
  );
  for (const f of MODEL_FILES) expect(readFileSync(join(folder, f))).toEqual(readFileSync(join(TINY_BERT, f)));
  expect(hasModelFiles(folder)).toBe(true);
  expect(readFileSync(join(cache, "models--Xenova--ms-marco-MiniLM-L-6-v2", "refs", "main"), "utf8")).toBe(
    "0123456789abcdef0123456789abcdef01234567",
  );
  expect(cachedModelFolder(cache, HF_RERANKER)).toBe(folder);
  expect(hub.requests).toContain(
    "POST /api/models/Xenova/ms-marco-MiniLM-L-6-v2/paths-info/0123456789abcdef0123456789abcdef01234567",
  );
  expect(tty.text()).toContain("downloading Xenova/ms-marco-MiniLM-L-6-v2/onnx/model_quantized.onnx [");
  expect(tty.text()).toMatch(/247\.6 KiB\/247\.6 KiB/);
});

test("download: a server error or a stalled body fails fast and leaves no usable snapshot", async () => {
  const broken = await startHub(hfHubFault((file) => file.endsWith(".onnx"), { status: 500 }));
  const cache = join(tempDir(), "hub");
  try {
    await expect(downloadModel(broken.url, HF_RERANKER, cache, bufferIo(), { headersTimeoutMs: 2000 })).rejects.toThrow(
      `${broken.url} answered 500 for Xenova/ms-marco-MiniLM-L-6-v2/onnx/model_quantized.onnx`,
    );
  } finally {
    await broken.close();
  }
  const snapshot = join(
    cache,
    "models--Xenova--ms-marco-MiniLM-L-6-v2",
    "snapshots",
    "0123456789abcdef0123456789abcdef01234567",
  );
  expect(existsSync(join(snapshot, "config.json"))).toBe(true);
  expect(existsSync(join(snapshot, "onnx", "model_quantized.onnx"))).toBe(false);
  expect(cachedModelFolder(cache, HF_RERANKER)).toBeUndefined();

  const stalled = await startHub(hfHubFault((file) => file.endsWith(".onnx"), "stall"));
  const t0 = Date.now();
  try {
    await expect(
      downloadModel(stalled.url, HF_RERANKER, cache, bufferIo(), { headersTimeoutMs: 2000, idleTimeoutMs: 300 }),
    ).rejects.toThrow("download of Xenova/ms-marco-MiniLM-L-6-v2/onnx/model_quantized.onnx stalled for 300 ms");
  } finally {
    await stalled.close();
  }
  expect(Date.now() - t0).toBeLessThan(3000);
  expect(existsSync(join(snapshot, "onnx", "model_quantized.onnx"))).toBe(false);
  expect(cachedModelFolder(cache, HF_RERANKER)).toBeUndefined();
});
