import { afterAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkCoreClosure, checkWorkspace, providerSdks } from "../src/check-packages.js";
import { listPackages, publishablePackages } from "../src/workspace.js";

const reports = checkWorkspace();

describe("every publishable package in the workspace", () => {
  test("the list is read from the workspace, not written down", () => {
    const names = reports.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["@mem0/core", "@mem0/testkit", "@mem0/ts-cli"]));
    expect(names).not.toContain("@mem0/bench");
    expect(names).not.toContain("@mem0/tools");
  });

  test.each(reports.map((r) => [r.name, r] as const))("%s passes the package checks", (_name, report) => {
    expect(report.problems).toEqual([]);
  });

  test("no provider SDK is in @mem0/core's dependency tree", () => {
    const sdks = providerSdks(listPackages());
    expect(sdks).toEqual(
      expect.arrayContaining(["cohere-ai", "openai", "@huggingface/transformers", "better-sqlite3"]),
    );
    expect(checkCoreClosure(listPackages())).toEqual([]);
  });
});

/** A throwaway workspace with one broken provider, to show the checks can fail. */
function brokenWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), "mem0-checker-"));
  const write = (path: string, content: unknown) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  };
  write("package.json", { name: "ws", private: true, license: "Apache-2.0" });
  write("pnpm-workspace.yaml", 'packages:\n  - "packages/*"\n');
  const good = {
    version: "0.1.0",
    description: "d",
    license: "Apache-2.0",
    type: "module",
    engines: { node: ">=20.19" },
    sideEffects: false,
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist"],
  };
  write("packages/core/package.json", {
    ...good,
    name: "@mem0/core",
    repository: { type: "git", url: "x", directory: "packages/core" },
    dependencies: { "evil-chain": "^1.0.0" },
  });
  write("packages/core/README.md", "# core");
  write("packages/core/dist/index.js", "export {};");
  write("packages/core/dist/index.d.ts", "export {};");
  // core → evil-chain → cohere-ai, as installed on disk.
  write("packages/core/node_modules/evil-chain/package.json", {
    name: "evil-chain",
    version: "1.0.0",
    dependencies: { "cohere-ai": "*" },
  });
  write("packages/core/node_modules/cohere-ai/package.json", { name: "cohere-ai", version: "8.0.0" });
  write("packages/reranker-bad/package.json", {
    name: "@mem0/reranker-bad",
    version: "0.1.0",
    license: "MIT",
    type: "module",
    engines: { node: ">=18" },
    exports: { ".": { default: "./dist/index.js", types: "./dist/index.d.ts" } },
    files: ["src"],
    repository: { type: "git", url: "x", directory: "packages/elsewhere" },
    dependencies: { "@mem0/core": "^0.1.0", "cohere-ai": "8.1.0", "@mem0/private-helper": "workspace:^" },
  });
  write(
    "packages/reranker-bad/dist/index.js",
    'import { z } from "zod";\nimport "node:fs";\nimport { x } from "./local.js";\nexport default await import("cohere-ai");\n',
  );
  write("packages/private-helper/package.json", { name: "@mem0/private-helper", version: "0.0.0", private: true });
  return root;
}

describe("the checker on a broken workspace", () => {
  const root = brokenWorkspace();
  const byName = Object.fromEntries(checkWorkspace(root).map((r) => [r.name, r.problems]));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("skips private packages", () => {
    expect(
      publishablePackages(root)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["@mem0/core", "@mem0/reranker-bad"]);
  });

  test("reports each broken field of a provider package", () => {
    const problems = byName["@mem0/reranker-bad"]!.join("\n");
    for (const expected of [
      "description: missing",
      'exports["."]: "types" must be the first condition',
      'exports["."].types: ./dist/index.d.ts does not exist',
      'files: must list "dist"',
      "README.md: missing",
      "engines.node: >=18 allows Node below 20.19.0",
      "sideEffects: missing",
      "license: MIT differs from the repository's Apache-2.0",
      "repository.directory: packages/elsewhere, expected packages/reranker-bad",
      "dependencies.@mem0/core: must be a peerDependency",
      "peerDependencies.@mem0/core: missing",
      "dependencies.@mem0/core: ^0.1.0 should be a workspace: range",
      "dependencies.@mem0/private-helper: @mem0/private-helper is private",
      "dist/index.js imports zod, which is not in dependencies or peerDependencies",
    ]) {
      expect(problems).toContain(expected);
    }
    // node: builtins, relative imports and declared packages are fine.
    expect(problems).not.toMatch(/imports (node:fs|\.\/local|cohere-ai)/);
  });

  test("finds a provider SDK reached through core's transitive dependencies", () => {
    expect(byName["@mem0/core"]).toEqual([
      expect.stringContaining("provider SDK cohere-ai (via evil-chain → cohere-ai)"),
    ]);
  });
});
