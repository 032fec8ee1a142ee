export { runDemo, type DemoOptions } from "./demo.js";
export { bm25DemoReranker, bm25Scores } from "./demo-reranker.js";
export { DEMO_MEMORIES, DEMO_QUERIES } from "./demo-data.js";
export { rankChange, sideBySide, timingLine } from "./format.js";
