#!/usr/bin/env node
// Runs every package's jest suite and the style gate (tools' `lint` target, tools/test/lint.test.ts) through Nx,
// then prints one closing line that counts every test that ran, read from the JSON reports jest writes (cached
// Nx runs restore those reports too).
// First it provides the browser @mem0/ts-cli's report test opens (tools/browser.mjs), installing
// one when the machine has none.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { provideBrowser } from "./browser.mjs";

const root = new URL("..", import.meta.url).pathname;
const reports = join(root, "reports", "jest");
rmSync(reports, { recursive: true, force: true });

const args = process.argv.slice(2);
const projectsGiven = args.some((a) => /^(-p|--projects)(=|$)/.test(a));
const env = { ...process.env };
if (!projectsGiven || args.some((a) => a.includes("ts-cli"))) {
  const browser = await provideBrowser();
  if (browser.path) {
    console.log(`report test browser: ${browser.path} (${browser.how})`);
    env.MEM0_CHROMIUM = browser.path;
  } else {
    console.log(`report test browser: ${browser.error}`);
    env.MEM0_CHROMIUM_ERROR = browser.error;
  }
}

const nx = spawnSync(
  process.execPath,
  [
    join(root, "node_modules/nx/dist/bin/nx.js"),
    "run-many",
    "-t",
    "typecheck",
    "test",
    "lint",
    "--output-style=stream",
    ...args,
  ],
  { cwd: root, stdio: "inherit", env },
);

function* reportFiles(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) yield* reportFiles(file);
    else if (name.endsWith(".json")) yield file;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reportFiles(reports)) {
  const counts = JSON.parse(readFileSync(file, "utf8"));
  passed += counts.numPassedTests;
  failed += counts.numFailedTests;
  skipped += counts.numPendingTests + (counts.numTodoTests ?? 0);
  // A suite that failed to load counts once, so a broken import can never read as green.
  failed += counts.numRuntimeErrorTestSuites;
}
const status = nx.status ?? 1;
if (status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(status);
