// onnxruntime-node builds its output tensors from the host realm's typed arrays, and
// onnxruntime-common (loaded inside jest's sandbox) checks them with `instanceof` against the
// sandbox's own constructors, which fails ("A float32 tensor's data must be type of Float32Array").
// Sharing the host's typed-array constructors with the sandbox makes the check hold, as it does
// in a plain Node process.
const { TestEnvironment } = require(require.resolve("jest-environment-node", { paths: [require.resolve("jest")] }));

const SHARED = [
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
];

class OnnxRuntimeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (name in globalThis) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeEnvironment;
