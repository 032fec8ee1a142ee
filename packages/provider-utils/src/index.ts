export * from "./api-key.js";
export * from "./config.js";
export * from "./errors.js";
export * from "./hosted-call.js";
export * from "./http.js";
export * from "./meta.js";
export * from "./retry.js";
export * from "./secret.js";
export { default as pLimit } from "p-limit";
