// The style gate (test/lint.test.ts) runs on its own: it reads sources only, so it needs neither the
// packed tarballs of jest.config.cjs's global setup nor a build, and takes seconds.
module.exports = {
  ...require("../jest.preset.js"),
  testMatch: ["<rootDir>/test/lint.test.ts"],
  testTimeout: 180_000,
  reporters: ["default", [require.resolve("./jest-count-reporter.cjs"), { name: "@mem0/tools-lint" }]],
};
