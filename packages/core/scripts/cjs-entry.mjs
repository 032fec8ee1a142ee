#!/usr/bin/env node
/**
 * Writes the CommonJS entry beside the ES module build, for core and every published provider
 * package (their builds run it): `dist/index.cjs` hands `require()` the one
 * ES module instance (require(esm), Node ≥ 20.19, our engines floor: no second copy of the
 * registry or the error classes), and a `.d.cts` twin of every declaration file, with relative
 * specifiers pointing at the twins, so TypeScript's `module: node16` CommonJS files can import the
 * package (it reports TS1479 when a CommonJS file's import resolves to ES module declarations).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dist = join(process.argv[2] ?? process.cwd(), "dist");
const RELATIVE_JS = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.js(["'])/g;

function* declarations(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarations(file);
    else if (entry.name.endsWith(".d.ts")) yield file;
  }
}

for (const file of declarations(dist)) {
  const text = readFileSync(file, "utf8")
    .replace(RELATIVE_JS, "$1$2.cjs$3")
    .replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n");
  writeFileSync(file.replace(/\.d\.ts$/, ".d.cts"), text);
}
writeFileSync(join(dist, "index.cjs"), 'module.exports = require("./index.js");\n');
