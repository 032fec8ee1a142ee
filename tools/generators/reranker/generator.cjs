// @ts-check
/**
 * `pnpm nx g @mem0/tools:reranker acme`: scaffolds a hosted reranker package written as the
 * built-ins are (one src/index.ts: config schema, request builder, zod answer schema, plugin, typed
 * config), on @mem0/provider-utils' hosted call. It builds and passes its tests as generated:
 * @mem0/testkit's reranker conformance suite (secret holding included) against a loopback fake of
 * the API, and config and plugin tests.
 *
 * An Nx generator rather than a plain script: `nx g` gives --dry-run, prompts and the schema's
 * validation for free, and a new package in packages/ is picked up by Nx with no registration.
 * Plain CommonJS, so Nx loads it without a build step or a TypeScript transpiler. Outside this
 * workspace (where third parties write their packages) cli.cjs runs the same generator on a folder.
 */
const path = require("node:path");
const { generateFiles, joinPathFragments, names, offsetFromRoot } = require("@nx/devkit");

/** Tool versions for standalone packages when the workspace's cannot be read. */
const FALLBACK_TOOLS = {
  "@jest/globals": "^30.2.0",
  "@swc/core": "^1.15.0",
  "@swc/jest": "^0.2.39",
  "@types/node": "^20.19.0",
  jest: "^30.2.0",
  typescript: "~5.9.3",
};

const FALLBACK_ZOD = "^4.1.12";

/** @param {import("@nx/devkit").Tree} tree @param {string} file */
function readJsonIfExists(tree, file) {
  const text = tree.exists(file) ? tree.read(file, "utf-8") : null;
  return text ? JSON.parse(text) : undefined;
}

/**
 * @param {import("@nx/devkit").Tree} tree
 * @param {{ name: string; packageName?: string; directory?: string; standalone?: boolean; license?: string; coreVersion?: string; testkitVersion?: string; providerUtilsVersion?: string; zodVersion?: string; toolVersions?: Record<string, string> }} options
 */
function normalizeOptions(tree, options) {
  if (!/^[a-z][a-z0-9_-]*$/.test(options.name)) {
    throw new Error(
      `reranker name ${JSON.stringify(options.name)}: use lower-case letters, digits, - and _ (e.g. acme)`,
    );
  }
  const standalone = options.standalone === true;
  const n = names(options.name);
  const directory = options.directory ?? joinPathFragments("packages", `reranker-${n.fileName}`);
  const packageName =
    options.packageName ?? (standalone ? `mem0-reranker-${n.fileName}` : `@mem0/reranker-${n.fileName}`);
  const version = (
    /** @type {string} */ dir,
    /** @type {string} */ option,
    /** @type {string | undefined} */ given,
  ) => {
    if (given) return given;
    const json = readJsonIfExists(tree, `packages/${dir}/package.json`);
    if (!json) throw new Error(`--standalone needs the @mem0/${dir} version to depend on: pass --${option}`);
    return `^${json.version}`;
  };
  const rootDevDeps = readJsonIfExists(tree, "package.json")?.devDependencies ?? {};
  // The exported config schema's type names zod's types, so declaration emit needs zod resolvable
  // from the package itself (pnpm's strict layout does not lend it core's): the same range as core.
  const zodRange =
    options.zodVersion ?? readJsonIfExists(tree, "packages/core/package.json")?.dependencies?.zod ?? FALLBACK_ZOD;
  const tools = Object.fromEntries(
    Object.entries(FALLBACK_TOOLS).map(([k, v]) => [k, options.toolVersions?.[k] ?? rootDevDeps[k] ?? v]),
  );
  return {
    tmpl: "",
    dot: ".",
    name: options.name,
    fileName: n.fileName,
    provider: options.name,
    rerankPath: "/v1/rerank",
    className: `${n.className}Reranker`,
    title: n.className,
    envVar: `${options.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`,
    packageName,
    directory,
    standalone,
    license: options.license ?? "Apache-2.0",
    coreRange: standalone ? version("core", "coreVersion", options.coreVersion) : "workspace:^",
    // In the workspace the peer range takes every 0.x, so a core minor does not push the package
    // to 1.0.0 on `changeset version` (docs/releasing.md).
    corePeerRange: standalone ? version("core", "coreVersion", options.coreVersion) : "workspace:>=0.1.0 <1.0.0",
    testkitRange: standalone ? version("testkit", "testkitVersion", options.testkitVersion) : "workspace:^",
    providerUtilsRange: standalone
      ? version("provider-utils", "providerUtilsVersion", options.providerUtilsVersion)
      : "workspace:^",
    tools,
    zodRange,
    offset: offsetFromRoot(directory),
  };
}

/**
 * @param {import("@nx/devkit").Tree} tree
 * @param {Parameters<typeof normalizeOptions>[1]} options
 */
async function rerankerGenerator(tree, options) {
  const o = normalizeOptions(tree, options);
  if (tree.exists(o.directory) && tree.children(o.directory).length > 0) {
    throw new Error(`${o.directory} already exists and is not empty`);
  }
  generateFiles(tree, path.join(__dirname, "files", "common"), o.directory, o);
  generateFiles(tree, path.join(__dirname, "files", o.standalone ? "standalone" : "workspace"), o.directory, o);
  return () => {
    const install = o.standalone
      ? `cd ${o.directory} && npm install`
      : "ONNXRUNTIME_NODE_INSTALL=skip npx -y pnpm@12.4.2 install";
    console.log(`\n${o.packageName} is in ${o.directory}. Next:\n  ${install}\n  then build and test it;`);
    console.log("  point src/index.ts and the fake API in test/helpers.ts at your API (see its README.md).");
  };
}

module.exports = rerankerGenerator;
module.exports.default = rerankerGenerator;
module.exports.rerankerGenerator = rerankerGenerator;
module.exports.normalizeOptions = normalizeOptions;
