// The packaging tests install real tarballs into temporary apps, so they take minutes, not
// milliseconds: one packed set of tarballs is shared by every test file (global-setup.ts).
module.exports = {
  ...require("../jest.preset.js"),
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  // The style gate runs as its own target (jest.lint.config.cjs), without the packing above.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/lint.test.ts"],
  testTimeout: 300_000,
  // Installs wait on the registry and the disk more than on the CPU: two files at a time.
  maxWorkers: 2,
};
