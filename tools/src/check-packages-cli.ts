/**
 * `pnpm --filter @mem0/tools check-packages` (after a build): prints every packaging problem of every
 * publishable package and exits 1 if there is one. The same checks run as jest tests.
 */
import { checkWorkspace } from "./check-packages.js";
import { findWorkspaceRoot } from "./workspace.js";

const reports = checkWorkspace(findWorkspaceRoot(process.argv[2] ?? process.cwd()));
let count = 0;
for (const report of reports) {
  if (report.problems.length === 0) console.log(`ok   ${report.name}`);
  else console.log(`FAIL ${report.name} (${report.relDir})\n${report.problems.map((p) => `       - ${p}`).join("\n")}`);
  count += report.problems.length;
}
console.log(`\n${reports.length} publishable packages, ${count} problems`);
process.exit(count ? 1 : 0);
