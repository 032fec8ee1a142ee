// See jest.config.cjs: colour is decided from the environment, which Nx and CI change.
delete process.env.FORCE_COLOR;
