/**
 * The package checker: what every publishable package must declare before it can be released
 * (run alone: check-packages-cli.ts). publint and attw, run on the packed tarballs by the tests,
 * cover what a tarball's exports and types look like to Node and TypeScript; this covers this
 * repository's own rules, which those tools cannot know: the engines floor for require(esm),
 * `@mem0/core` as a peer of providers, no provider SDK reachable from core, imports that pnpm's
 * strict layout would not resolve, and the fields a release needs.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import semver from "semver";
import {
  PROVIDER_NAME,
  listPackages,
  readJson,
  workspaceRoot,
  type PackageJson,
  type WorkspacePackage,
} from "./workspace.js";

/** require(esm) is unflagged from this version on; the CJS-consumer story depends on it. */
const NODE_FLOOR = "20.19.0";

/**
 * Vendor SDKs that must never be reachable from @mem0/core. The check also adds, at run time, every
 * third-party dependency of the provider packages, so a provider that lands later is covered.
 */
const KNOWN_PROVIDER_SDKS = [
  "cohere-ai",
  "openai",
  "@huggingface/transformers",
  "onnxruntime-node",
  "onnxruntime-web",
  "onnxruntime-common",
  "@qdrant/js-client-rest",
  "better-sqlite3",
  "sqlite-vec",
  "zeroentropy",
];

export interface PackageReport {
  name: string;
  relDir: string;
  problems: string[];
}

type ConditionTree = string | null | ConditionTree[] | { [key: string]: ConditionTree };

function exportTargets(
  tree: ConditionTree,
  path: string,
  out: { path: string; target: string }[],
  problems: string[],
): void {
  if (tree === null) return;
  if (typeof tree === "string") {
    out.push({ path, target: tree });
    return;
  }
  if (Array.isArray(tree)) {
    for (const [i, t] of tree.entries()) exportTargets(t, `${path}[${i}]`, out, problems);
    return;
  }
  const keys = Object.keys(tree);
  // TypeScript picks the first matching condition, so `types` after `default`/`import` is never read.
  // A `require` block with its own types may come first: CommonJS importers take it (core's .d.cts).
  const typesAt = keys.indexOf("types");
  const precedingTypes = keys
    .slice(0, typesAt)
    .filter((k) => !(k === "require" && typeof tree[k] === "object" && tree[k] !== null && "types" in tree[k]));
  if (typesAt > 0 && precedingTypes.length > 0) problems.push(`exports${path}: "types" must be the first condition`);
  for (const k of keys) exportTargets(tree[k]!, `${path}.${k}`, out, problems);
}

function checkExports(pkg: WorkspacePackage, problems: string[]): void {
  const { exports } = pkg.json;
  if (!exports || typeof exports !== "object" || Array.isArray(exports)) {
    problems.push(`exports: missing (an exports map with a "." entry is required)`);
    return;
  }
  const map = exports as Record<string, ConditionTree>;
  const root = map["."];
  if (root === undefined) {
    problems.push(`exports: no "." entry`);
    return;
  }
  if (typeof root !== "object" || root === null || Array.isArray(root) || typeof root.types !== "string") {
    problems.push(`exports["."]: needs a "types" condition next to its JavaScript target`);
  } else if (typeof root.default !== "string" && typeof root.import !== "string") {
    problems.push(`exports["."]: needs a "default" (or "import") target`);
  }
  const targets: { path: string; target: string }[] = [];
  for (const [sub, tree] of Object.entries(map)) exportTargets(tree, `[${JSON.stringify(sub)}]`, targets, problems);
  for (const { path, target } of targets) {
    if (!target.startsWith("./")) problems.push(`exports${path}: target ${target} must start with ./`);
    else if (target.includes("*")) continue;
    else if (!existsSync(join(pkg.dir, target))) problems.push(`exports${path}: ${target} does not exist (not built?)`);
    if (/\.d\.[cm]?ts$/.test(target) !== path.endsWith(".types") && !target.endsWith(".json")) {
      problems.push(
        `exports${path}: ${target} ` +
          (path.endsWith(".types") ? "is not a .d.ts file" : "is a .d.ts file under a JavaScript condition"),
      );
    }
  }
}

function workspaceDepProblems(pkg: WorkspacePackage, byName: Map<string, WorkspacePackage>, problems: string[]): void {
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const) {
    for (const [dep, spec] of Object.entries(pkg.json[field] ?? {})) {
      const local = byName.get(dep);
      if (/^(file|link|portal):/.test(spec))
        problems.push(`${field}.${dep}: ${spec} cannot be installed from the registry`);
      if (!local) continue;
      if (!spec.startsWith("workspace:"))
        problems.push(`${field}.${dep}: ${spec} should be a workspace: range, so packing writes the released version`);
      if (local.json.private)
        problems.push(
          `${field}.${dep}: ${dep} is private and is never published, so this package could not be installed`,
        );
    }
  }
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"'\n]+)["']/g;
const builtins = new Set(builtinModules);

/**
 * The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative, builtin
 * and `#` imports.
 */
function packageOfSpecifier(spec: string): string | undefined {
  if (
    spec.startsWith(".") ||
    spec.startsWith("/") ||
    spec.startsWith("#") ||
    spec.startsWith("node:") ||
    /^[a-z]+:/.test(spec)
  )
    return undefined;
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return builtins.has(name) ? undefined : name;
}

function* filesUnder(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(file);
    else if (/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(e.name)) yield file;
  }
}

/**
 * Imports in the built code (and declarations) of packages the package does not declare. npm's
 * hoisting hides these; under pnpm's strict layout they fail at run time (or turn types into any).
 */
function undeclaredImports(pkg: WorkspacePackage, problems: string[]): void {
  const manifest = pkg.json;
  const declared = new Set([
    pkg.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const missing = new Map<string, string>();
  for (const file of filesUnder(join(pkg.dir, "dist"))) {
    // Doc comments often show usage (`import { x } from "@mem0/testkit"`); only code counts.
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const found of code.matchAll(SPECIFIER)) {
      const name = packageOfSpecifier(found[1]!);
      if (name && !declared.has(name) && !missing.has(name)) missing.set(name, file.slice(pkg.dir.length + 1));
    }
  }
  for (const [name, file] of missing) {
    const where = manifest.devDependencies?.[name] ? " (it is only a devDependency)" : "";
    problems.push(
      `${file} imports ${name}, which is not in dependencies or peerDependencies${where}: ` +
        "it fails under pnpm's strict layout",
    );
  }
}

/** Finds where Node would resolve `name` from `fromDir` (node_modules lookup up the tree). */
function findPackageDir(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The production dependency closure of a package as installed in this workspace, by name. Follows
 * the real on-disk layout (pnpm's .pnpm store links), so it sees exactly what an install brings.
 */
function dependencyClosure(dir: string): Map<string, string[]> {
  const seen = new Map<string, string[]>(); // name → the chain that brought it in
  const queue: { dir: string; chain: string[] }[] = [{ dir: realpathSync(dir), chain: [] }];
  const visitedDirs = new Set<string>();
  while (queue.length) {
    const { dir, chain } = queue.shift()!;
    if (visitedDirs.has(dir)) continue;
    visitedDirs.add(dir);
    const json = readJson(join(dir, "package.json"));
    const optionalPeers = new Set(
      Object.entries(json.peerDependenciesMeta ?? {})
        .filter(([, m]) => m.optional)
        .map(([n]) => n),
    );
    const deps = [
      ...Object.keys(json.dependencies ?? {}),
      ...Object.keys(json.optionalDependencies ?? {}),
      ...Object.keys(json.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n)),
    ];
    for (const dep of deps) {
      const depDir = findPackageDir(dir, dep);
      if (!seen.has(dep)) seen.set(dep, [...chain, dep]);
      if (depDir) queue.push({ dir: depDir, chain: [...chain, dep] });
    }
  }
  return seen;
}

function checkPackage(pkg: WorkspacePackage, all: WorkspacePackage[], rootJson: PackageJson): string[] {
  const problems: string[] = [];
  const manifest = pkg.json;
  const byName = new Map(all.map((p) => [p.name, p]));

  if (!semver.valid(manifest.version)) problems.push(`version: ${String(manifest.version)} is not a semver version`);
  if (!manifest.description) problems.push(`description: missing (shown on the registry and in search)`);
  if (manifest.type !== "module") problems.push(`type: must be "module" (the build emits ES modules)`);
  checkExports(pkg, problems);
  if (!existsSync(join(pkg.dir, "dist"))) problems.push(`dist/: missing (run the build first)`);
  if (
    !Array.isArray(manifest.files) ||
    !manifest.files.some((f) => f === "dist" || f === "dist/" || f.startsWith("dist/"))
  ) {
    problems.push(`files: must list "dist" (without it the tarball carries no code, or everything)`);
  }
  if (!existsSync(join(pkg.dir, "README.md")))
    problems.push(`README.md: missing (the registry page is empty without it)`);

  const nodeRange = manifest.engines?.node;
  if (!nodeRange)
    problems.push(`engines.node: missing (must be >=${NODE_FLOOR}: CommonJS consumers rely on require(esm))`);
  else {
    const min = semver.validRange(nodeRange) ? semver.minVersion(nodeRange) : null;
    if (!min || semver.lt(min, NODE_FLOOR))
      problems.push(
        `engines.node: ${nodeRange} allows Node below ${NODE_FLOOR}, where require() of these ES modules fails`,
      );
  }
  if (manifest.sideEffects === undefined)
    problems.push(
      `sideEffects: missing (false, or the list of files with side effects, lets bundlers drop unused code)`,
    );
  if (!manifest.license) problems.push(`license: missing`);
  else if (rootJson.license && manifest.license !== rootJson.license)
    problems.push(`license: ${manifest.license} differs from the repository's ${rootJson.license}`);

  const repo = typeof manifest.repository === "string" ? { url: manifest.repository } : manifest.repository;
  if (!repo?.url) problems.push(`repository: missing (publint and the registry link the source through it)`);
  else {
    if (typeof manifest.repository === "object" && manifest.repository.type !== "git")
      problems.push(`repository.type: must be "git"`);
    if (repo.directory !== pkg.relDir)
      problems.push(`repository.directory: ${String(repo.directory)}, expected ${pkg.relDir}`);
  }

  workspaceDepProblems(pkg, byName, problems);
  undeclaredImports(pkg, problems);

  // One copy of core per app: a provider that brought its own core would register plugins and
  // throw errors that the app's core does not see (instanceof, the provider registry).
  if (pkg.name !== "@mem0/core") {
    const usesCore = ["dependencies", "peerDependencies", "devDependencies"].some(
      (f) => (manifest[f] as Record<string, string> | undefined)?.["@mem0/core"],
    );
    const isApp = manifest.bin !== undefined;
    if (!isApp && manifest.dependencies?.["@mem0/core"])
      problems.push(
        `dependencies.@mem0/core: must be a peerDependency (an app installs core once; providers share it)`,
      );
    if ((PROVIDER_NAME.test(pkg.name) || (usesCore && !isApp)) && !manifest.peerDependencies?.["@mem0/core"]) {
      problems.push(`peerDependencies.@mem0/core: missing (every provider package takes core as a peer)`);
    }
    if (manifest.peerDependencies?.["@mem0/core"] && !manifest.devDependencies?.["@mem0/core"]) {
      problems.push(
        "devDependencies.@mem0/core: missing (declare the peer as a devDependency too, " +
          "so the package's own build and tests use the workspace's core)",
      );
    }
  }
  return problems;
}

/** Third-party packages the provider packages bring in: the SDKs core must never reach. */
export function providerSdks(all: WorkspacePackage[]): string[] {
  const core = all.find((p) => p.name === "@mem0/core");
  const coreDirect = new Set(Object.keys(core?.json.dependencies ?? {}));
  const byName = new Map(all.map((p) => [p.name, p]));
  // Providers, and the workspace libraries they build on (provider-utils, hf-runtime, …).
  const providerSide = new Set<string>();
  const queue = all.filter((p) => PROVIDER_NAME.test(p.name)).map((p) => p.name);
  while (queue.length) {
    const name = queue.shift()!;
    if (providerSide.has(name) || name === "@mem0/core") continue;
    providerSide.add(name);
    for (const dep of Object.keys(byName.get(name)?.json.dependencies ?? {})) if (byName.has(dep)) queue.push(dep);
  }
  const sdks = new Set(KNOWN_PROVIDER_SDKS);
  for (const name of providerSide) {
    for (const dep of Object.keys(byName.get(name)!.json.dependencies ?? {}))
      if (!byName.has(dep) && !coreDirect.has(dep)) sdks.add(dep);
  }
  return [...sdks].sort();
}

export function checkCoreClosure(all: WorkspacePackage[]): string[] {
  const core = all.find((p) => p.name === "@mem0/core");
  if (!core) return ["@mem0/core: not found in the workspace"];
  const closure = dependencyClosure(core.dir);
  const problems: string[] = [];
  for (const sdk of providerSdks(all)) {
    const chain = closure.get(sdk);
    if (chain)
      problems.push(`@mem0/core's dependency tree contains the provider SDK ${sdk} (via ${chain.join(" → ")})`);
  }
  for (const name of closure.keys()) {
    if (name.startsWith("@mem0/"))
      problems.push(`@mem0/core depends on ${name}: core must not depend on provider or helper packages`);
  }
  return problems;
}

export function checkWorkspace(root = workspaceRoot): PackageReport[] {
  const all = listPackages(root);
  const rootJson = readJson(join(root, "package.json"));
  const reports = all
    .filter((p) => p.json.private !== true)
    .map((p) => ({ name: p.name, relDir: p.relDir, problems: checkPackage(p, all, rootJson) }));
  const core = reports.find((r) => r.name === "@mem0/core");
  if (core) core.problems.push(...checkCoreClosure(all));
  return reports;
}
