// Writes each package's test counts to reports/jest/<package name>.json, where
// tools/run-tests.mjs sums them into the closing `N passed, N failed` line.
const fs = require("node:fs");
const path = require("node:path");

class CountReporter {
  onRunComplete(_contexts, r) {
    const name = JSON.parse(fs.readFileSync(path.join(process.cwd(), "package.json"), "utf8")).name;
    const file = path.join(__dirname, "..", "reports", "jest", `${name}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites } = r;
    fs.writeFileSync(
      file,
      JSON.stringify({ numPassedTests, numFailedTests, numPendingTests, numTodoTests, numRuntimeErrorTestSuites }),
    );
  }
}
module.exports = CountReporter;
