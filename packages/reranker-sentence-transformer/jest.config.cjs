module.exports = {
  ...require("../../jest.preset.js"),
  testEnvironment: require.resolve("../hf-runtime/jest-environment.cjs"),
};
