module.exports = { ...require("../../jest.preset.js"), testEnvironment: require.resolve("./jest-environment.cjs") };
