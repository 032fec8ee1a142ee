#!/usr/bin/env node
// Runs every package's jest suite through Nx, then prints one closing line that counts every test
// that ran, read from the JSON reports jest writes (cached Nx runs restore those reports too).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const reports = join(root, "reports", "jest");
rmSync(reports, { recursive: true, force: true });

const nx = spawnSync(
  process.execPath,
  [join(root, "node_modules/nx/dist/bin/nx.js"), "run-many", "-t", "typecheck", "test", "--output-style=stream", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit" },
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
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that failed to load counts once, so a broken import can never read as green.
  failed += r.numRuntimeErrorTestSuites;
}
const status = nx.status ?? 1;
if (status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(status);
