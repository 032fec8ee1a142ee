// The hf-runtime environment shares Node's typed arrays with onnxruntime (the local cross-encoder test).
module.exports = {
  ...require("../../jest.preset.js"),
  testEnvironment: require.resolve("../hf-runtime/jest-environment.cjs"),
};
