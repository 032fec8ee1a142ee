module.exports = {
  ...require("../../jest.preset.js"),
  // Lets tests load a third-party plugin package by name, as an app with it installed would.
  modulePaths: ["<rootDir>/test/fixtures/plugins"],
};
