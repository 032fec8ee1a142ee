/**
 * Item: a bundled app finds its providers. esbuild bundles fixtures/bundle/app.ts (platform node),
 * the bundle is copied to an empty folder with no node_modules anywhere above it, and run there:
 * a search reranks through the statically imported Cohere plugin against the loopback fake.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { startCohereServer, type CohereServer } from "@mem0/testkit";
import { build } from "esbuild";

const run = promisify(execFile);
let server: CohereServer;
let dir: string;

beforeAll(async () => {
  server = await startCohereServer({ apiKey: "bundle-key" });
  dir = mkdtempSync(join(tmpdir(), "mem0-bundle-"));
  await build({
    entryPoints: [join(__dirname, "..", "fixtures", "bundle", "app.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: join(dir, "app.mjs"),
    // Bundled CommonJS dependencies call require(); an ES module bundle needs one to hand them.
    banner: {
      js: "import { createRequire as __mem0CreateRequire } from 'node:module'; const require = __mem0CreateRequire(import.meta.url);",
    },
    logLevel: "error",
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const runBundle = (env: Record<string, string>) =>
  run(process.execPath, [join(dir, "app.mjs")], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", COHERE_URL: server.url, ...env },
  });

test("the bundle is one file and there is no node_modules to resolve a provider from", () => {
  expect(readdirSync(dir)).toEqual(["app.mjs"]);
  for (let d = dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, "node_modules"))).toBe(false);
});

test("a search reranks through the statically imported provider object", async () => {
  const { stdout } = await runBundle({});
  const out = JSON.parse(stdout);
  expect(out.reranked).toBe(true);
  expect(out.rerank).toMatchObject({
    provider: "cohere",
    model: "rerank-v3.5",
    candidates: 4,
    meta: { billed_units: { search_units: 1 } },
  });
  // The fake scores by shared words: "green tea and ramen for dinner" has both query words.
  expect(out.memories).toEqual(["green tea and ramen for dinner", "ramen is a noodle soup"]);
});

test("by contrast, the provider named as a string cannot be found in the bundle", async () => {
  const err = (await runBundle({ RERANKER_BY_NAME: "1" }).catch((e: unknown) => e)) as { stderr: string };
  expect(err.stderr).toMatch(/ProviderNotFoundError|@mem0\/reranker-cohere is not installed/);
});
