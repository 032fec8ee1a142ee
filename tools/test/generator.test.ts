/**
 * The reranker generator, both ways it is used, and the package it writes used as a third party
 * would: built outside this workspace against the packed @mem0/core, @mem0/provider-utils and
 * @mem0/testkit, installed into a fresh app, and loaded by its package name with no registration
 * code. Generated into this workspace's layout, it passes the checks a built-in package passes:
 * build, typecheck, its tests, check-packages, publint, attw and Biome.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { join } from "node:path";
import { checkWorkspace } from "../src/check-packages.js";
import { listPackages, workspaceRoot, type WorkspacePackage } from "../src/workspace.js";
import { createApp, type App, type PackageManager } from "./support/apps.js";
import { node, pnpm } from "./support/exec.js";
import { attw, publint } from "./support/linters.js";
import { packOf, readManifest } from "./support/packs.js";

const manifest = readManifest();
const generatorDir = join(workspaceRoot, "tools", "generators", "reranker");
const requireFromTools = createRequire(join(workspaceRoot, "tools", "package.json"));

const PLUGIN_NAME = "@acme/mem0-reranker-acme";
const SOURCES = [
  "README.md",
  "src/index.ts",
  "test/conformance.test.ts",
  "test/fault-matrix.test.ts",
  "test/helpers.ts",
  "test/plugin.test.ts",
];

/** Every file under `dir` (but node_modules and dist) with its content, to prove nothing was edited. */
function snapshot(dir: string, sub = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.name === "node_modules" || e.name === "dist" || e.name.endsWith(".tgz")) continue;
    if (e.isDirectory()) Object.assign(out, snapshot(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), "utf8");
  }
  return out;
}

/** Sets a pnpm install of a scaffold to take @mem0/* from our tarballs (and to allow swc's build). */
function pointAtTarballs(dir: string): void {
  const overrides = Object.values(manifest.packs).map((p) => `  "${p.name}": "file:${p.tarball}"`);
  writeFileSync(
    join(dir, "pnpm-workspace.yaml"),
    ["overrides:", ...overrides, "allowBuilds:", '  "@swc/core": true', '  "@parcel/watcher": false', ""].join("\n"),
  );
}

/** Packs the package in `dir` into `packs` and expects publint and attw to pass, as ours do; returns the tarball. */
async function packAndLint(dir: string, packs: string): Promise<string> {
  mkdirSync(packs, { recursive: true });
  await pnpm(["pack", "--pack-destination", packs], { cwd: dir });
  const tarball = join(packs, readdirSync(packs).find((f) => f.endsWith(".tgz")) ?? "no .tgz written");
  const lint = await publint(tarball);
  expect({ code: lint.code, output: lint.stdout + lint.stderr }).toEqual({ code: 0, output: expect.any(String) });
  const types = await attw(tarball);
  expect({ code: types.code, output: types.stdout + types.stderr }).toEqual({
    code: 0,
    output: expect.stringContaining("No problems found"),
  });
  return tarball;
}

let pluginTarball: string | undefined;

describe("the generator, standalone (cli.cjs), in a folder outside the workspace", () => {
  let dir: string;
  let generated: Record<string, string>;
  beforeAll(async () => {
    packOf(manifest, "@mem0/core");
    dir = join(manifest.root, "mem0-reranker-acme");
    await node([join(generatorDir, "cli.cjs"), "acme", "--directory", dir, "--package-name", PLUGIN_NAME], {
      cwd: manifest.root,
    });
    generated = snapshot(dir);
  }, 60_000);

  test("writes a hosted reranker as the built-ins are: one src/index.ts on provider-utils, conformance tests", () => {
    expect(Object.keys(generated).sort()).toEqual(
      [".gitignore", ...SOURCES, "jest.config.js", "package.json", "tsconfig.build.json", "tsconfig.json"].sort(),
    );
    const pkg = JSON.parse(generated["package.json"]!);
    expect(pkg).toMatchObject({
      name: PLUGIN_NAME,
      type: "module",
      dependencies: { "@mem0/provider-utils": `^${packOf(manifest, "@mem0/provider-utils").version}` },
      peerDependencies: { "@mem0/core": `^${manifest.packs["@mem0/core"]!.version}` },
      devDependencies: { "@mem0/testkit": `^${manifest.packs["@mem0/testkit"]!.version}` },
    });
    expect(pkg.dependencies?.["@mem0/core"]).toBeUndefined();
    const source = generated["src/index.ts"] ?? "";
    // The house pattern: provider-utils' hosted call, key resolution and path; core's ranking check;
    // the typed-config block. Not: reading the environment directly or hiding a key by hand.
    for (const part of [
      "defineReranker",
      "hosted.hostedConfigShape()",
      "hosted.postJsonWithRetries(",
      "hosted.contextApiKey(ctx",
      "hosted.validateHostedRanking(",
      "readonly #apiKey: hosted.Secret",
      "const rerankResponse = z.object(",
      "namespace Mem0Config",
      `"${PLUGIN_NAME}": import("@mem0/core").PluginConfig<typeof plugin>`,
    ])
      expect(source).toContain(part);
    expect(source).not.toMatch(/ctx\.env\.|process\.env|defineProperty|fetch\(/);
    expect(generated["test/conformance.test.ts"]).toContain("describeRerankerConformance");
    expect(generated["test/helpers.ts"]).toContain("startFakeServer");
  });

  test("installs, builds, type-checks and passes its own tests, conformance suite included, untouched", async () => {
    pointAtTarballs(dir);
    await pnpm(["install", "--no-frozen-lockfile", "--prefer-offline", "--reporter=append-only"], { cwd: dir });
    await pnpm(["run", "build"], { cwd: dir });
    await pnpm(["run", "typecheck"], { cwd: dir });
    const { stdout, stderr } = await pnpm(["test", "--verbose"], { cwd: dir });
    const output = stdout + stderr;
    expect(output).toContain("reranker conformance: acme");
    expect(output).toContain("fault matrix: acme");
    expect(output).toContain("a timed-out search lets the process exit within 2 s");
    expect(output).toMatch(/Tests:\s+(\d+ skipped, )?\d+ passed, \d+ total/);
    expect(output).not.toMatch(/\d+ failed/);
    // Nothing of the conformance suite is skipped: secret holding and aborting mid-call run too.
    expect(output).toContain("the reranker: a canary API key shows in none of util.inspect, JSON.stringify, String");
    expect(output).toContain("aborting mid-call rejects promptly with the signal's reason");
    expect(output).not.toMatch(/skipped/);
    expect(Number(/Tests:\s+(\d+) passed/.exec(output)?.[1])).toBeGreaterThanOrEqual(30);
    expect(existsSync(join(dir, "dist", "index.d.ts"))).toBe(true);
    // Nothing the generator wrote was edited to get here (only pnpm-workspace.yaml was added).
    const { "pnpm-workspace.yaml": _added, "pnpm-lock.yaml": _lock, ...after } = snapshot(dir);
    expect(after).toEqual(generated);
  });

  test("its tarball passes publint and attw, like ours", async () => {
    pluginTarball = await packAndLint(dir, join(manifest.root, "plugin-pack"));
  });
});

const APP_PROBE = (
  format: "esm" | "cjs",
) => `${format === "esm" ? 'import { Memory } from "@mem0/core";' : 'const { Memory } = require("@mem0/core");'}
async function main() {
  // No registerProvider: core imports the package named by "provider". The key comes from ACME_API_KEY.
  const config = { top_k: 10, base_url: process.env.RERANK_API_URL };
  const m = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: "${PLUGIN_NAME}", config } });
  for (const text of ["Alice is allergic to peanuts", "Alice loves ramen, tonkotsu ramen above all", "The printer is out of toner", "Bob prefers tea"]) {
    await m.add(text, { user_id: "alice", infer: false });
  }
  const res = await m.search("which ramen does alice love", { user_id: "alice", limit: 2 });
  return { reranked: res.reranked, rerank: res.rerank, results: res.results.map((r) => ({ memory: r.memory, score: r.score, rerank_score: r.rerank_score, vector_score: r.vector_score })) };
}
main().then((out) => console.log(JSON.stringify(out)), (err) => { console.error(err); process.exit(1); });
`;

const API_KEY = "acme-app-key-51c0";

/**
 * The scaffold's API as its README describes it (`POST /v1/rerank`, bearer key, `{ results: [{ index,
 * relevance_score }] }`), on loopback; the score is the number of query words a document shares.
 */
async function startScaffoldApi(): Promise<{ url: string; calls: number; close(): Promise<void> }> {
  const words = (text: string) => new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
  const api = { url: "", calls: 0, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      api.calls += 1;
      if (req.method !== "POST" || req.url !== "/v1/rerank" || req.headers.authorization !== `Bearer ${API_KEY}`) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"message":"unauthorized"}');
        return;
      }
      const request = JSON.parse(raw) as { query: string; documents: string[]; top_n: number };
      const queryWords = words(request.query);
      const results = request.documents
        .map((document, index) => ({
          index,
          relevance_score: [...words(document)].filter((w) => queryWords.has(w)).length,
        }))
        .sort((a, b) => b.relevance_score - a.relevance_score)
        .slice(0, request.top_n);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

describe.each<PackageManager>(["npm", "pnpm"])("the third-party plugin in a fresh app installed with %s", (pm) => {
  let app: App;
  let api: Awaited<ReturnType<typeof startScaffoldApi>>;
  afterAll(() => api?.close());
  beforeAll(async () => {
    api = await startScaffoldApi();
    if (!pluginTarball) throw new Error("the plugin was not packed (see the generator tests above)");
    app = await createApp(manifest, {
      pm,
      label: "plugin",
      dependencies: ["@mem0/core", `${PLUGIN_NAME}@file:${pluginTarball}`],
      files: { "esm.mjs": APP_PROBE("esm"), "cjs.cjs": APP_PROBE("cjs") },
    });
  }, 240_000);

  test.each(["esm.mjs", "cjs.cjs"])(
    '%s: reranker: { provider: "@acme/mem0-reranker-acme" } reranks search results',
    async (script) => {
      const calls = api.calls;
      const { stdout } = await node([join(app.dir, script)], {
        cwd: app.dir,
        env: { RERANK_API_URL: api.url, ACME_API_KEY: API_KEY },
      });
      const out = JSON.parse(stdout.trim().split("\n").pop()!);
      expect(api.calls).toBe(calls + 1);
      expect(out.rerank).toMatchObject({ provider: "acme", model: "acme-rerank-v1", candidates: 4 });
      expect(out.rerank.error).toBeUndefined();
      expect(out.reranked).toBe(true);
      expect(out.results).toHaveLength(2);
      expect(out.results[0]).toMatchObject({ memory: "Alice loves ramen, tonkotsu ramen above all" });
      expect(out.results[0].score).toBe(out.results[0].rerank_score);
      expect(out.results[0].score).toBeGreaterThan(out.results[1].score);
    },
  );
});

/** The workspace packages `names` need, with their own workspace dependencies. */
function closure(names: string[]): WorkspacePackage[] {
  const all = new Map(listPackages().map((p) => [p.name, p]));
  const out = new Map<string, WorkspacePackage>();
  const visit = (name: string) => {
    const pkg = all.get(name);
    if (!pkg || out.has(name)) return;
    out.set(name, pkg);
    for (const dep of Object.keys({ ...pkg.json.dependencies, ...pkg.json.peerDependencies })) visit(dep);
  };
  names.forEach(visit);
  return [...out.values()];
}

describe("the generator, in this workspace (pnpm nx g @mem0/tools:reranker <name>)", () => {
  test("nx finds the local generator and plans packages/reranker-<name>", async () => {
    const out = await node(
      [
        join(workspaceRoot, "node_modules", "nx", "dist", "bin", "nx.js"),
        "g",
        "@mem0/tools:reranker",
        "zeta",
        "--dry-run",
        "--no-interactive",
      ],
      {
        cwd: workspaceRoot,
        env: { NX_DAEMON: "false", NX_NO_CLOUD: "true" },
      },
    );
    for (const file of [...SOURCES, "package.json", "jest.config.cjs", "tsconfig.json", "tsconfig.build.json"]) {
      expect(out.stdout).toContain(`CREATE packages/reranker-zeta/${file}`);
    }
    expect(existsSync(join(workspaceRoot, "packages", "reranker-zeta"))).toBe(false);
  });

  // The same layout as this repository (root configs, core and testkit with their built dist), in a
  // scratch copy, so that the real workspace is never touched while other packages build.
  test("the workspace package passes build, typecheck, tests, check-packages, publint, attw, Biome", async () => {
    const copy = join(manifest.root, "workspace-copy");
    mkdirSync(join(copy, "tools"), { recursive: true });
    for (const f of ["package.json", "pnpm-workspace.yaml", "tsconfig.base.json", "jest.preset.js"])
      cpSync(join(workspaceRoot, f), join(copy, f));
    // The preset's reporter and setup files.
    for (const f of readdirSync(join(workspaceRoot, "tools")).filter((n) => /^jest-.*\.cjs$/.test(n)))
      cpSync(join(workspaceRoot, "tools", f), join(copy, "tools", f));
    cpSync(join(workspaceRoot, "biome.json"), join(copy, "biome.json"));
    const deps = closure(["@mem0/core", "@mem0/provider-utils", "@mem0/testkit"]);
    for (const p of deps)
      cpSync(p.dir, join(copy, p.relDir), { recursive: true, filter: (src) => !src.includes("/node_modules") });

    const { FsTree, flushChanges } = requireFromTools(
      "nx/src/generators/tree",
    ) as typeof import("nx/src/generators/tree");
    const generator = requireFromTools("./generators/reranker/generator.cjs") as (
      tree: unknown,
      o: { name: string },
    ) => Promise<unknown>;
    const tree = new FsTree(copy, false);
    await generator(tree, { name: "zeta" });
    flushChanges(copy, tree.listChanges());

    const pkg = JSON.parse(readFileSync(join(copy, "packages", "reranker-zeta", "package.json"), "utf8"));
    expect(pkg).toMatchObject({
      name: "@mem0/reranker-zeta",
      peerDependencies: { "@mem0/core": "workspace:>=0.1.0 <1.0.0" },
      repository: { directory: "packages/reranker-zeta" },
    });

    await pnpm(["install", "--no-frozen-lockfile", "--prefer-offline", "--reporter=append-only"], { cwd: copy });
    const cwd = join(copy, "packages", "reranker-zeta");
    await pnpm(["run", "build"], { cwd });
    await pnpm(["run", "typecheck"], { cwd });
    const { stdout, stderr } = await node([join(copy, "node_modules", "jest", "bin", "jest.js"), "--verbose"], { cwd });
    expect(stdout + stderr).toContain("reranker conformance: zeta");
    expect(stdout + stderr).toContain("fault matrix: zeta");
    expect(stdout + stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(stdout + stderr).not.toMatch(/\d+ (failed|skipped)/);

    // The checks every built-in package passes: check-packages, publint and attw on its tarball, Biome.
    const zeta = checkWorkspace(copy).find((report) => report.name === "@mem0/reranker-zeta");
    expect(zeta).toEqual({ name: "@mem0/reranker-zeta", relDir: "packages/reranker-zeta", problems: [] });
    await packAndLint(cwd, join(copy, "packs"));
    const biome = join(copy, "node_modules", "@biomejs", "biome", "bin", "biome");
    const style = await node([biome, "ci", "--error-on-warnings", "--vcs-enabled=false", "packages/reranker-zeta"], {
      cwd: copy,
      allowFailure: true,
    });
    expect({ code: style.code, output: style.stdout + style.stderr }).toEqual({
      code: 0,
      output: expect.stringMatching(/Checked 6 files/),
    });
  });
});
