/**
 * The built `mem0-ts` binary, spawned as a user runs it: exit codes, quiet output in a pipe, and the
 * demo's model choice against a loopback hub (download, local cross-encoder, bounded probe).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FAKE_HF_COMMIT, hfHubFault } from "@mem0/testkit";
import { HF_RERANKER } from "@mem0/ts-cli";
import { BIN, COMPARE_ARGS, type CliRun, fixture, spawnCli, startHub, tempDir } from "./helpers.js";

const mem0 = spawnCli;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the package first (nx runs build before test)`);
});

test("demo --offline: both lists, the fallback, and nothing on stderr in a pipe", async () => {
  const dir = tempDir();
  const cliRun = await mem0(["demo", "--offline", "--store-path", join(dir, "demo.db")], { HF_HOME: join(dir, "hf") });
  expect(cliRun.code).toBe(0);
  expect(cliRun.stdout).toMatch(
    /^models: offline — lexical embedder \+ bm25 reranker .*because the model files are not in .*hf\/hub and --offline is set$/m,
  );
  expect(cliRun.stdout).toMatch(/^store: sqlite at .*demo\.db \(collection demo_lexical_\w+; kept between runs\)$/m);
  expect(cliRun.stdout).toMatch(/^vector only\s+│ reranked \(bm25\)$/m);
  expect(cliRun.stdout).toContain(
    "fallback: reranked=false · rerank.error: bm25: query has 31 words, more than the demo's max_query_words=24",
  );
  expect(cliRun.stderr).toBe("");
  const again = await mem0(["demo", "--offline", "--store-path", join(dir, "demo.db")], { HF_HOME: join(dir, "hf") });
  expect(again.stdout).toMatch(/^reusing \d+ memories of 6 users and agents already in the store$/m);
});

test("demo with a reachable hub: downloads the models, runs the local cross-encoder, reuses the files offline", async () => {
  // The tiny BERT cross-encoder is served as both models: the cross-encoder loads and ranks (random
  // weights); as an embedder it is refused (it has no hidden-state output), so the demo keeps the
  // lexical embedder and says why — in one line.
  const hub = await startHub();
  const dir = tempDir();
  const env = { HF_ENDPOINT: hub.url, HF_HOME: join(dir, "hf") };
  let r: CliRun;
  try {
    r = await mem0(["demo", "--store-path", join(dir, "demo.db")], env);
  } finally {
    await hub.close();
  }
  expect(r.code).toBe(0);
  expect(hub.requests).toContain(
    "GET /Xenova/ms-marco-MiniLM-L-6-v2/resolve/0123456789abcdef0123456789abcdef01234567/onnx/model_quantized.onnx",
  );
  expect(
    existsSync(
      join(
        dir,
        "hf",
        "hub",
        "models--Xenova--ms-marco-MiniLM-L-6-v2",
        "snapshots",
        "0123456789abcdef0123456789abcdef01234567",
        "onnx",
        "model_quantized.onnx",
      ),
    ),
  ).toBe(true);
  const models = r.stdout.split("\n").filter((l) => l.startsWith("models: "));
  expect(models).toEqual([
    expect.stringMatching(
      /^models: lexical embedder \+ Xenova\/ms-marco-MiniLM-L-6-v2 cross-encoder \(q8, downloaded to .*hf\/hub\), because the embedder failed to load: .*not a feature-extraction model/,
    ),
  ]);
  expect(r.stdout.match(/^vector only\s+│ reranked \(sentence_transformer\)$/gm)!.length).toBeGreaterThanOrEqual(7);
  expect(r.stdout).toContain(
    "fallback: reranked=false · rerank.error: sentence_transformer: query has 31 words, more than the demo's max_query_words=24 · event rerank:error: emitted",
  );
  expect(r.stderr).toBe("");

  // The hub is gone now: the files on disk are enough.
  const again = await mem0(["demo", "--store-path", join(dir, "demo.db")], env);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(
    /^models: lexical embedder \+ Xenova\/ms-marco-MiniLM-L-6-v2 cross-encoder \(q8, model files found in .*hf\/hub\)/m,
  );
});

test("--json with a reranker downloaded on first use (when Memory opens): stdout is only the JSON", async () => {
  const hub = await startHub();
  const dir = tempDir();
  const config = join(dir, "mem0.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      vector_store: { provider: "sqlite", config: { path: join(dir, "mem0.db") } },
      embedder: { provider: "lexical" },
      reranker: { provider: "sentence_transformer", config: { model: HF_RERANKER.id, dtype: "q8" } },
    }),
  );
  const env = { HF_ENDPOINT: hub.url, HF_HOME: join(dir, "hf") };
  let add: CliRun;
  let search: CliRun;
  try {
    add = await mem0(["--config", config, "--json", "add", "I like pizza", "I play tennis", "-u", "alice"], env);
    expect(hub.requests).toContain(`GET /${HF_RERANKER.id}/resolve/${FAKE_HF_COMMIT}/onnx/model_quantized.onnx`);
    search = await mem0(["--config", config, "--json", "search", "pizza", "-u", "alice"], env);
  } finally {
    await hub.close();
  }
  expect(add.code).toBe(0);
  expect(JSON.parse(add.stdout).results.map((m: { memory: string }) => m.memory)).toEqual([
    "I like pizza",
    "I play tennis",
  ]);
  expect(search.code).toBe(0);
  const response = JSON.parse(search.stdout);
  expect(response.reranked).toBe(true);
  expect(response.results.map((m: { memory: string }) => m.memory).sort()).toEqual(["I like pizza", "I play tennis"]);
});

test("demo with a hub that never answers: a bounded check, then the offline models", async () => {
  const hub = await startHub(hfHubFault(() => true, "hang"));
  const dir = tempDir();
  try {
    const cliRun = await mem0(["demo", "--store-path", join(dir, "demo.db")], {
      HF_ENDPOINT: hub.url,
      HF_HOME: join(dir, "hf"),
    });
    expect(cliRun.code).toBe(0);
    expect(cliRun.stdout).toMatch(
      new RegExp(
        `^models: offline — .*because the model files are not in .*hf/hub and ${hub.url.replace(/[.]/g, "\\.")} is unreachable \\(no answer within 2000 ms\\)$`,
        "m",
      ),
    );
    expect(cliRun.ms).toBeLessThan(20_000);
  } finally {
    await hub.close();
  }
});

test("exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input", async () => {
  expect((await mem0(["--help"])).code).toBe(0);
  const missingArg = await mem0(["search"]);
  expect(missingArg.code).toBe(2);
  expect(missingArg.stderr).toContain("error: missing required argument 'query'");
  const badConfig = await mem0(["--config", fixture("bad.config.json"), "list", "-u", "alice"]);
  expect(badConfig.code).toBe(2);
  expect(badConfig.stderr).toContain(
    `${fixture("bad.config.json")}:6: reranker.config.top_k: expected a positive integer`,
  );
  const noFile = await mem0(["--config", fixture("nope.json"), "list", "-u", "alice"]);
  expect(noFile.code).toBe(2);
  expect(noFile.stderr).toBe(`error: ${fixture("nope.json")}: no such file\n`);
  const notFound = await mem0(["--config", fixture("offline.config.json"), "get", "no-such-id"]);
  expect(notFound.code).toBe(1);
  expect(notFound.stderr).toBe('error: no memory with id "no-such-id"\n');
});

test("compare and eval from the binary print their reports (no progress bars in a pipe)", async () => {
  const c = await mem0(COMPARE_ARGS);
  expect(c.code).toBe(0);
  expect(c.stdout).toMatch(/━━ Summary\nqueries: 8 \(8 with both sides answered\)\ntop result changed: \d+ of 8/);
  expect(c.stderr).toBe("");
  const e = await mem0([
    "eval",
    "--quiet",
    "--corpus",
    fixture("beir", "corpus.jsonl"),
    "--queries",
    fixture("beir", "queries.jsonl"),
    "--qrels",
    fixture("beir", "qrels", "test.tsv"),
  ]);
  expect(e.code).toBe(0);
  expect(e.stdout).toMatch(/^nDCG@10\s+0\.\d{4}\s+0\.\d{4}\s+[+−]0\.\d{4}\s+\[/m);
});
