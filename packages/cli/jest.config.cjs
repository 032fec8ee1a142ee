const preset = require("../../jest.preset.js");

module.exports = {
  ...preset,
  // The package is @mem0/ts-cli in the folder packages/cli, which the preset's @mem0/<dir> mapping misses.
  moduleNameMapper: { "^@mem0/ts-cli$": "<rootDir>/src/index.ts", ...preset.moduleNameMapper },
  // string-width and its dependencies ship ESM only; jest runs CommonJS, so they are transformed too.
  transformIgnorePatterns: [
    "/node_modules/(?!(\\.pnpm/)?(p-limit|yocto-queue|string-width|strip-ansi|ansi-regex|get-east-asian-width)[@/])",
  ],
  // Nx and CI set FORCE_COLOR for the processes they run; the in-process CLI tests assert plain
  // output, so each test file starts without it (tests that want colour set it themselves).
  setupFiles: [...preset.setupFiles, "<rootDir>/test/plain-output.cjs"],
  // The browser test launches Chromium; give it room on a busy 2-core machine.
  testTimeout: 60000,
};
