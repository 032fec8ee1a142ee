module.exports = {
  ...require("../../jest.preset.js"),
  // The browser test launches Chromium; give it room on a busy 2-core machine.
  testTimeout: 60000,
};
