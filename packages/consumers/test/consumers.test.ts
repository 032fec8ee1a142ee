/**
 * Item: every consumer setup works, against the packed tarballs (no registry of ours): `pnpm pack`
 * core, provider-utils and the Cohere reranker, `npm install` the tarballs into a blank app, then
 * type-check and run a consumer of each kind: ES module and CommonJS JavaScript; TypeScript with
 * `module` node16 (ES module and CommonJS files), nodenext and bundler; each TypeScript app with
 * and without @types/node, never skipping library checks. Every consumer searches with reranking.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startCohereServer, type CohereServer } from "@mem0/testkit";
import { build } from "esbuild";
import { cjsJs, cohereScenario, coreScenario, esmJs } from "./support/scenarios.js";

const exec = promisify(execFile);
const workspace = join(__dirname, "..", "..", "..");
const tsc = join(__dirname, "..", "node_modules", "typescript", "bin", "tsc");
const PACKED = ["core", "provider-utils", "reranker-cohere"];

let server: CohereServer;
let root: string;

interface TsApp {
  name: string;
  type: "module" | "commonjs";
  compilerOptions: Record<string, unknown>;
  /** file name → scenario; what runs is the emitted file of each. */
  files: Record<string, (kind: string) => string>;
  /** Emitted file → how to run it (bundler apps are bundled by esbuild first, as such an app would be). */
  run: "node" | "esbuild";
}

const TS_APPS: TsApp[] = [
  {
    name: "ts-node16-esm",
    type: "module",
    compilerOptions: { module: "node16" },
    files: { "index.ts": cohereScenario, "cjs-file.cts": cohereScenario, "core-file.cts": coreScenario },
    run: "node",
  },
  {
    name: "ts-node16-cjs",
    type: "commonjs",
    compilerOptions: { module: "node16" },
    files: { "index.ts": cohereScenario, "esm-file.mts": cohereScenario },
    run: "node",
  },
  {
    name: "ts-nodenext",
    type: "module",
    compilerOptions: { module: "nodenext" },
    files: { "index.ts": cohereScenario, "cjs-file.cts": cohereScenario },
    run: "node",
  },
  {
    name: "ts-bundler",
    type: "module",
    compilerOptions: { module: "preserve", moduleResolution: "bundler" },
    files: { "index.ts": cohereScenario },
    run: "esbuild",
  },
];

const emitted = (file: string) =>
  file
    .replace(/\.ts$/, ".js")
    .replace(/\.mts$/, ".mjs")
    .replace(/\.cts$/, ".cjs");

beforeAll(async () => {
  server = await startCohereServer({ apiKey: "consumer-key" });
  root = mkdtempSync(join(tmpdir(), "mem0-consumers-"));
  const tarballs = join(root, "tarballs");
  for (const pkg of PACKED) {
    await exec("npx", ["-y", "pnpm@12.4.2", "pack", "--pack-destination", tarballs], {
      cwd: join(workspace, "packages", pkg),
    });
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "blank-app", private: true }));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  await exec("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error", ...files], {
    cwd: root,
  });
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const runNode = async (file: string) => {
  const { stdout } = await exec(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? "", COHERE_URL: server.url },
  });
  return JSON.parse(stdout.trim());
};

const expectCohereRun = (out: unknown, kind: string) =>
  expect(out).toEqual({ kind, reranked: true, provider: "cohere", top: "green tea and ramen for dinner" });

describe("JavaScript", () => {
  test.each([
    ["esm", "app.mjs", esmJs],
    ["cjs", "app.cjs", cjsJs],
  ])("%s: imports the tarballs and searches with reranking", async (kind, file, source) => {
    const dir = join(root, `js-${kind}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), source(kind));
    expectCohereRun(await runNode(join(dir, file)), kind);
  });
});

describe.each(TS_APPS.map((a) => [a.name, a] as const))("TypeScript %s", (name, app) => {
  const dir = () => join(root, name);
  const tsconfig = (types: string[], extra: Record<string, unknown> = {}) => ({
    compilerOptions: {
      target: "es2022",
      strict: true,
      skipLibCheck: false,
      outDir: "out",
      types,
      ...app.compilerOptions,
      ...extra,
    },
    files: Object.keys(app.files),
  });

  beforeAll(() => {
    mkdirSync(dir(), { recursive: true });
    writeFileSync(join(dir(), "package.json"), JSON.stringify({ type: app.type }));
    for (const [file, scenario] of Object.entries(app.files))
      writeFileSync(join(dir(), file), scenario(`${name}/${file}`));
    // @types/node from the workspace, found only when a tsconfig lists it: the blank app has none.
    writeFileSync(
      join(dir(), "tsconfig.json"),
      JSON.stringify(tsconfig([], app.run === "esbuild" ? { noEmit: true } : {})),
    );
    writeFileSync(
      join(dir(), "tsconfig.node.json"),
      JSON.stringify(tsconfig(["node"], { noEmit: true, typeRoots: [join(workspace, "node_modules", "@types")] })),
    );
  });

  const typecheck = async (config: string) => {
    const result = await exec(process.execPath, [tsc, "-p", config], { cwd: dir() }).catch(
      (e: { stdout: string; code: number }) => e,
    );
    return { code: "code" in result ? result.code : 0, output: result.stdout };
  };

  test("type-checks without @types/node (and emits)", async () => {
    expect(await typecheck("tsconfig.json")).toEqual({ code: 0, output: "" });
  }, 120_000);

  test("type-checks with @types/node", async () => {
    expect(await typecheck("tsconfig.node.json")).toEqual({ code: 0, output: "" });
  }, 120_000);

  test("every file runs and searches with reranking", async () => {
    for (const [file, scenario] of Object.entries(app.files)) {
      const kind = `${name}/${file}`;
      let entry = join(dir(), "out", emitted(file));
      if (app.run === "esbuild") {
        entry = join(dir(), "bundle.mjs");
        await build({
          entryPoints: [join(dir(), file)],
          bundle: true,
          platform: "node",
          format: "esm",
          outfile: entry,
          logLevel: "error",
          banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        });
      }
      const out = await runNode(entry);
      if (scenario === cohereScenario) expectCohereRun(out, kind);
      else expect(out).toEqual({ kind, reranked: true, provider: "reverse", events: 2 });
    }
  }, 120_000);
});
