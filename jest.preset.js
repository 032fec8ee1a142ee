// Shared jest settings: every package tests its TypeScript sources directly (swc, no type-check:
// `build` type-checks), and workspace imports of `@mem0/<dir>` resolve to that package's src.
const path = require("node:path");

const packagesDir = path.join(__dirname, "packages");

module.exports = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)sx?$": [
      require.resolve("@swc/jest"),
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  // p-limit and its queue ship ESM only; jest runs CommonJS, so they are transformed too.
  transformIgnorePatterns: ["/node_modules/(?!(\\.pnpm/)?(p-limit|yocto-queue)[@/])"],
  moduleNameMapper: {
    "^@mem0/([a-z0-9-]+)$": `${packagesDir}/$1/src/index.ts`,
    "^@mem0/([a-z0-9-]+)/(.+)$": `${packagesDir}/$1/src/$2`,
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  // The default store is a SQLite file under $MEM0_DIR: give every test file its own folder.
  setupFiles: [path.join(__dirname, "tools", "jest-temp-mem0-dir.cjs")],
  reporters: ["default", path.join(__dirname, "tools", "jest-count-reporter.cjs")],
  passWithNoTests: true,
  testTimeout: 30000,
};
