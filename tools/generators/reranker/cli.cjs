#!/usr/bin/env node
// @ts-check
/**
 * Runs the reranker generator on any folder, for packages that live outside this workspace:
 *
 *   node tools/generators/reranker/cli.cjs acme --directory ../mem0-reranker-acme [--package-name @acme/mem0-reranker-acme]
 *
 * Always --standalone: the versions of @mem0/core, @mem0/provider-utils, @mem0/testkit and the build
 * tools come from this checkout (override with --core-version, --provider-utils-version, --testkit-version).
 */
const fs = require("node:fs");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { FsTree, flushChanges, printChanges } = require("nx/src/generators/tree");
const rerankerGenerator = require("./generator.cjs");

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    directory: { type: "string" },
    "package-name": { type: "string" },
    license: { type: "string" },
    "core-version": { type: "string" },
    "testkit-version": { type: "string" },
    "provider-utils-version": { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});
const [name] = positionals;
if (!name || !values.directory) {
  console.error(
    "usage: cli.cjs <name> --directory <folder> [--package-name <npm name>] [--license <spdx>] [--core-version <range>] [--testkit-version <range>] [--provider-utils-version <range>] [--dry-run]",
  );
  process.exit(2);
}

const repo = path.resolve(__dirname, "..", "..", "..");
const readJson = (/** @type {string} */ file) => JSON.parse(fs.readFileSync(path.join(repo, file), "utf8"));
const target = path.resolve(values.directory);
fs.mkdirSync(target, { recursive: true });

// The tree is rooted at the target folder, so the generator writes to "." there.
const tree = new FsTree(target, false);
rerankerGenerator(tree, {
  name,
  directory: ".",
  standalone: true,
  packageName: values["package-name"],
  license: values.license,
  coreVersion: values["core-version"] ?? `^${readJson("packages/core/package.json").version}`,
  testkitVersion: values["testkit-version"] ?? `^${readJson("packages/testkit/package.json").version}`,
  providerUtilsVersion:
    values["provider-utils-version"] ?? `^${readJson("packages/provider-utils/package.json").version}`,
  zodVersion: readJson("packages/core/package.json").dependencies?.zod,
  toolVersions: readJson("package.json").devDependencies,
})
  .then(() => {
    const changes = tree.listChanges();
    printChanges(changes);
    if (values["dry-run"]) return;
    flushChanges(target, changes);
    console.log(`\nWrote ${target}. Next: npm install && npm run build && npm test,`);
    console.log("then point src/index.ts and test/helpers.ts at your API (see README.md).");
  })
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
