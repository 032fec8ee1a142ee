// Writes each package's test counts to reports/jest/<package name>.json, where
// tools/run-tests.mjs sums them into the closing `N passed, N failed` line. A second suite of one
// package (tools' style gate) names its own report with the `name` option.
const fs = require("node:fs");
const path = require("node:path");

class CountReporter {
  constructor(_globalConfig, options = {}) {
    this.name = options.name;
  }

  onRunComplete(_contexts, r) {
    const name = this.name ?? JSON.parse(fs.readFileSync(path.join(process.cwd(), "package.json"), "utf8")).name;
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
