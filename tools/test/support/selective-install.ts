/**
 * The selective install: an app that installs @mem0/core and one provider (@mem0/reranker-cohere)
 * gets that provider's SDK and no other, loads both from ES modules and from CommonJS, and is told
 * which package to install for a provider it lacks. Run once per package manager.
 */
import { beforeAll, describe, expect, test } from "@jest/globals";
import { join } from "node:path";
import { workspaceRoot } from "../../src/workspace.js";
import { createApp, installedPackages, type App, type PackageManager } from "./apps.js";
import { node } from "./exec.js";
import { readManifest } from "./packs.js";

/** SDKs of providers the app did not install: none may arrive with core or cohere. */
const NOT_INSTALLED = [
  "openai",
  "@huggingface/transformers",
  "onnxruntime-node",
  "@qdrant/js-client-rest",
  "better-sqlite3",
];

const CONFIG = `{ vector_store: { provider: "memory" }, reranker: { provider: "cohere", config: { api_key: "test" } } }`;

// The app imports only core: core has to find the provider the app installed by itself. The
// provider is imported afterwards, to check it is the very module core loaded (one copy of each).
const probe = (format: "esm" | "cjs") => `
async function probe(core, loadCohere) {
  const m = await core.Memory.fromConfig(${CONFIG});
  const resolved = await core.resolvePlugin("reranker", "cohere", "reranker");
  const cohere = await loadCohere();
  let qdrant;
  try {
    await core.Memory.fromConfig({ vector_store: { provider: "qdrant" } });
    qdrant = { resolved: true };
  } catch (e) {
    qdrant = { name: e.name, code: e.code, message: e.message, packageName: e.packageName, isProviderNotFound: e instanceof core.ProviderNotFoundError };
  }
  return { format: "${format}", reranker: m.reranker && m.reranker.provider, model: m.reranker && m.reranker.model, samePlugin: resolved === cohere, qdrant };
}`;

const ESM_SCRIPT = `import * as core from "@mem0/core";
${probe("esm")}
console.log(JSON.stringify(await probe(core, async () => (await import("@mem0/reranker-cohere")).default)));
`;

const CJS_SCRIPT = `"use strict";
const core = require("@mem0/core");
${probe("cjs")}
probe(core, async () => require("@mem0/reranker-cohere").default).then(
  (out) => console.log(JSON.stringify({ ...out, requireIsCjs: typeof module === "object" })),
  (err) => { console.error(err); process.exit(1); },
);
`;

// TypeScript consumers of both kinds: .cts compiles to require(), which TypeScript ≥ 5.8 allows
// for ES modules under module nodenext (as Node ≥ 20.19 does).
const TS_CONSUMER = `
import { Memory, type SearchResponse } from "@mem0/core";
import cohere, { CohereReranker } from "@mem0/reranker-cohere";
export async function main(): Promise<SearchResponse> {
  const m = await Memory.fromConfig({ vector_store: { provider: "memory" }, reranker: { provider: cohere.provider, config: { api_key: "test" } } });
  const r: CohereReranker | undefined = m.reranker instanceof CohereReranker ? m.reranker : undefined;
  void r;
  return m.search("q", { user_id: "u" });
}
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ["consumer.mts", "consumer.cts"],
});

interface ProbeOutput {
  format: string;
  reranker: string;
  model: string;
  samePlugin: boolean;
  requireIsCjs?: boolean;
  qdrant: {
    resolved?: boolean;
    name?: string;
    code?: string;
    message?: string;
    packageName?: string;
    isProviderNotFound?: boolean;
  };
}

export function describeSelectiveInstall(pm: PackageManager): void {
  describe(`selective install with ${pm}: @mem0/core + @mem0/reranker-cohere`, () => {
    let app: App;
    beforeAll(async () => {
      app = await createApp(readManifest(), {
        pm,
        label: "selective",
        dependencies: ["@mem0/core", "@mem0/reranker-cohere"],
        files: {
          "esm.mjs": ESM_SCRIPT,
          "cjs.cjs": CJS_SCRIPT,
          "consumer.mts": TS_CONSUMER,
          "consumer.cts": TS_CONSUMER,
          "tsconfig.json": TSCONFIG,
        },
      });
    }, 240_000);

    const runProbe = async (script: string, cwd = app.dir): Promise<ProbeOutput> => {
      const { stdout } = await node([join(app.dir, script)], { cwd });
      return JSON.parse(stdout.trim().split("\n").pop()!) as ProbeOutput;
    };

    test("node_modules holds the Cohere provider and no provider SDK (Cohere is called over fetch)", () => {
      const installed = installedPackages(app);
      expect(installed.has("@mem0/core")).toBe(true);
      expect(installed.has("@mem0/reranker-cohere")).toBe(true);
      expect(installed.has("@mem0/provider-utils")).toBe(true);
      expect(installed.has("cohere-ai")).toBe(false);
      expect(NOT_INSTALLED.filter((name) => installed.has(name))).toEqual([]);
    });

    test("an ES module app imports core, and core finds the provider the app installed", async () => {
      const out = await runProbe("esm.mjs");
      expect(out).toMatchObject({ format: "esm", reranker: "cohere", model: "rerank-english-v3.0", samePlugin: true });
    });

    test("a CommonJS app require()s core and the provider (require(esm), Node >= 20.19)", async () => {
      const out = await runProbe("cjs.cjs");
      expect(out).toMatchObject({ format: "cjs", requireIsCjs: true, reranker: "cohere", samePlugin: true });
    });

    test('provider: "qdrant" fails with a message naming @mem0/store-qdrant to install', async () => {
      const out = await runProbe("esm.mjs");
      expect(out.qdrant).toMatchObject({
        name: "ProviderNotFoundError",
        code: "PROVIDER_NOT_FOUND",
        packageName: "@mem0/store-qdrant",
        isProviderNotFound: true,
      });
      expect(out.qdrant.message).toContain("npm install @mem0/store-qdrant");
      const cjs = await runProbe("cjs.cjs");
      expect(cjs.qdrant).toMatchObject({ packageName: "@mem0/store-qdrant", isProviderNotFound: true });
    });

    // `node apps/web/main.js` from the repository root, or a service manager's working directory.
    test("the app finds its providers when started from another folder", async () => {
      const out = await runProbe("esm.mjs", readManifest().root);
      expect(out).toMatchObject({ reranker: "cohere", samePlugin: true });
      const cjs = await runProbe("cjs.cjs", readManifest().root);
      expect(cjs).toMatchObject({ reranker: "cohere", samePlugin: true });
    });

    test("TypeScript consumers type-check as ES module (.mts) and CommonJS (.cts) under module nodenext", async () => {
      const tsc = join(workspaceRoot, "node_modules", "typescript", "bin", "tsc");
      const out = await node([tsc, "-p", join(app.dir, "tsconfig.json")], { cwd: app.dir, allowFailure: true });
      expect({ code: out.code, output: out.stdout + out.stderr }).toEqual({ code: 0, output: "" });
    });
  });
}
