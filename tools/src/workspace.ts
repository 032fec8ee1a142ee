/**
 * The workspace's packages as the release tooling sees them: every folder matched by
 * pnpm-workspace.yaml's `packages:` globs that has a package.json. Read at call time, so a package
 * that lands later is picked up by every check without anyone listing it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  description?: string;
  license?: string;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  engines?: Record<string, string>;
  sideEffects?: boolean | string[];
  files?: string[];
  exports?: unknown;
  repository?: string | { type?: string; url?: string; directory?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface WorkspacePackage {
  name: string;
  /** Absolute path of the package folder. */
  dir: string;
  /** Path from the workspace root, with forward slashes (`packages/core`). */
  relDir: string;
  json: PackageJson;
}

/** The nearest folder at or above `from` that holds pnpm-workspace.yaml. */
export function findWorkspaceRoot(from = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml at or above ${from}`);
  }
}

export const workspaceRoot = findWorkspaceRoot();

export function readJson<T = PackageJson>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** The `packages:` globs of pnpm-workspace.yaml. Only `dir` and `dir/*` forms are used here. */
function workspaceGlobs(root = workspaceRoot): string[] {
  const text = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const globs: string[] = [];
  let inPackages = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages) {
      const entry = /^\s+-\s+["']?([^"'#]+?)["']?\s*(#.*)?$/.exec(line);
      if (entry) globs.push(entry[1]!);
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  return globs;
}

export function listPackages(root = workspaceRoot): WorkspacePackage[] {
  const dirs: string[] = [];
  for (const glob of workspaceGlobs(root)) {
    if (glob.startsWith("!")) continue;
    if (glob.endsWith("/*")) {
      const parent = join(root, glob.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const name of readdirSync(parent, { withFileTypes: true }))
        if (name.isDirectory()) dirs.push(join(parent, name.name));
    } else if (!glob.includes("*")) {
      dirs.push(join(root, glob));
    } else {
      throw new Error(`pnpm-workspace.yaml: glob ${glob} is not supported by tools/src/workspace.ts`);
    }
  }
  return dirs
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => {
      const json = readJson(join(dir, "package.json"));
      return { name: json.name, dir, relDir: relative(root, dir).split(sep).join("/"), json };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Packages that are published: everything not marked `private`. */
export function publishablePackages(root = workspaceRoot): WorkspacePackage[] {
  return listPackages(root).filter((p) => p.json.private !== true);
}

/** Provider packages by the naming pattern every backend follows (DESIGN.md §1). */
export const PROVIDER_NAME = /^@mem0\/(reranker|store|embedder|llm)-/;
