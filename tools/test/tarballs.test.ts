/**
 * Each packed tarball, as the registry would serve it: publint (package.json against the files
 * really in the tarball), attw (what TypeScript resolves under node10, node16 from CJS and ESM, and
 * bundler), and the offline release dry run (`npm pack --dry-run`) that shows what a publish ships.
 */
import { beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { publishablePackages } from "../src/workspace.js";
import { npm, type RunResult } from "./support/exec.js";
import { attw, publint } from "./support/linters.js";
import { packOf, readManifest } from "./support/packs.js";

const manifest = readManifest();
const packages = publishablePackages();

/** Files no tarball should carry: tests, their fixtures, build configs, the TypeScript build cache. */
const NOT_SHIPPED = [
  /(^|\/)test\//,
  /\.test\.[cm]?[jt]s$/,
  /(^|\/)tsconfig[^/]*\.json$/,
  /(^|\/)jest\.config\./,
  /\.tsbuildinfo$/,
  /(^|\/)node_modules\//,
];

function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (!exports || typeof exports !== "object") return [];
  return Object.values(exports).flatMap(exportTargets);
}

interface Results {
  publint: RunResult;
  attw: RunResult;
  dryRun: RunResult;
}

/** Runs `tasks` with at most `n` at a time (each is a separate process: most of its time is startup). */
async function pool<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

const results = new Map<string, Results | Error>();

// Every tool runs once per package, three at a time, before the per-package assertions.
beforeAll(async () => {
  await pool(
    3,
    packages.map((pkg) => async () => {
      try {
        const tarball = packOf(manifest, pkg.name).tarball;
        const [lint, types, dryRun] = [
          await publint(tarball),
          await attw(tarball),
          await npm(["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkg.dir, allowFailure: true }),
        ];
        results.set(pkg.name, { publint: lint, attw: types, dryRun });
      } catch (err) {
        results.set(pkg.name, err as Error);
      }
    }),
  );
}, 600_000);

function resultsOf(name: string): Results {
  const r = results.get(name);
  if (!r) throw new Error(`${name}: no results (beforeAll failed)`);
  if (r instanceof Error) throw r;
  return r;
}

describe.each(packages.map((p) => [p.name, p] as const))("%s", (name, pkg) => {
  test("publint: no errors or warnings on the packed tarball", () => {
    const out = resultsOf(name).publint;
    expect({ code: out.code, output: out.stdout + out.stderr }).toEqual({ code: 0, output: expect.any(String) });
  });

  test("attw: the types resolve in every module mode (one rule off: see support/linters.ts)", () => {
    const out = resultsOf(name).attw;
    expect({ code: out.code, output: out.stdout + out.stderr }).toEqual({
      code: 0,
      output: expect.stringContaining("No problems found"),
    });
  });

  test("npm pack --dry-run ships the built code, its types and README, and no tests or configs", () => {
    const out = resultsOf(name).dryRun;
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const [result] = JSON.parse(out.stdout) as { name: string; version: string; files: { path: string }[] }[];
    const files = result!.files.map((f) => f.path).sort();
    expect(result!.name).toBe(name);
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    for (const target of exportTargets(pkg.json.exports)) expect(files).toContain(normalize(target));
    expect(files.filter((f) => NOT_SHIPPED.some((re) => re.test(f)))).toEqual([]);
    // What `pnpm publish` ships (pnpm pack, the tarball every other test installs) is npm's dry run
    // plus the repository's LICENSE, which pnpm adds to a package that has none of its own.
    const published = packOf(manifest, name).files;
    expect(published).toContain("LICENSE");
    expect(published.filter((f) => f !== "LICENSE")).toEqual(files.filter((f) => f !== "LICENSE"));
  });

  test("source maps point only at files inside the tarball", () => {
    const pack = packOf(manifest, name);
    const shipped = new Set(pack.files);
    const missing = new Set<string>();
    for (const map of pack.files.filter((f) => f.endsWith(".map"))) {
      const file = join(pkg.dir, map);
      if (!existsSync(file)) continue;
      const { sources = [], sourceRoot = "" } = JSON.parse(readFileSync(file, "utf8")) as {
        sources?: string[];
        sourceRoot?: string;
      };
      for (const source of sources) {
        const inPackage = relative(pkg.dir, join(dirname(file), sourceRoot, source))
          .split("\\")
          .join("/");
        if (!shipped.has(inPackage)) missing.add(inPackage);
      }
    }
    // A map into files that are not shipped sends "Go to definition" and stack traces nowhere.
    expect([...missing].slice(0, 5)).toEqual([]);
  });
});
