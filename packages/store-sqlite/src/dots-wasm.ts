/**
 * dots.wat compiled to WebAssembly, as base64 in lines of 90 characters joined at load (a module
 * of its own so no source line runs past the limit). After editing dots.wat, regenerate with the
 * command in its header, then quote each output line:
 *   npx -y -p wabt@1.0.37 wat2wasm src/dots.wat -o /tmp/dots.wasm && base64 -w90 /tmp/dots.wasm
 */
export const DOTS_WASM = [
  "AGFzbQEAAAABGQNgA39/fwF/YAV/f39/fwBgBn9/f39/fwADBAMAAQIFAwEAAQcaAwZtZW1vcnkCAARkb3RzAAEGZG",
  "90c0F0AAIK8QID8wECBHsCfyABIAJqIQcgASACQWBxaiEIAkADQCABIAhPDQEgAf0ABAAhBSAB/QAEECEGIAMgBf2H",
  "ASAA/QAEAP26Af2uASEDIAQgBf2IASAA/QAEEP26Af2uASEEIAMgBv2HASAA/QAEIP26Af2uASEDIAQgBv2IASAA/Q",
  "AEMP26Af2uASEEIABBwABqIQAgAUEgaiEBDAALCyABIAdJBEAgAf0ABAAhBSADIAX9hwEgAP0ABAD9ugH9rgEhAyAE",
  "IAX9iAEgAP0ABBD9ugH9rgEhBAsgAyAE/a4BIQMgA/0bACAD/RsBaiAD/RsCIAP9GwNqags4AQF/IAQgAkECdGohBQ",
  "JAA0AgBCAFTw0BIAQgACABIAMQADYCACABIANqIQEgBEEEaiEEDAALCwtBAQF/IAUgA0ECdGohBgJAA0AgBSAGTw0B",
  "IAUgACABIAIoAgAgBGxqIAQQADYCACACQQRqIQIgBUEEaiEFDAALCws=",
].join("");
