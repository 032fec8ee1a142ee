export { run, buildProgram, OFFLINE_CONFIG, type RunContext } from "./program.js";
export { runDemo, FAILING_QUERY, type DemoOptions } from "./demo/run.js";
export {
  cachedModelFolder,
  chooseModels,
  describeModels,
  downloadModel,
  hasModelFiles,
  HF_EMBEDDER,
  HF_RERANKER,
  MODEL_FILES,
  probeHub,
  type ModelChoice,
} from "./demo/models.js";
export { DEMO_MEMORIES, DEMO_QUERIES } from "./demo/playbooks.js";
export type { DemoMemory, DemoQuery } from "./demo/types.js";
export { bm25Reranker, bm25Scores } from "./bm25.js";
export {
  byHash,
  byId,
  displayWidth,
  fit,
  rankChange,
  rankDelta,
  resultLists,
  SIDE_BY_SIDE_MIN_COLUMNS,
  table,
  timingLine,
  wrap,
} from "./format.js";
export { bufferIo, processIo, type Io } from "./io.js";
export { startProgress, type Progress } from "./progress.js";
export { CliError, InputError, InputErrors, UsageError, exitCodeFor } from "./errors.js";
export { readBeirQueries, readCorpus, readMemories, readQrels, readQueries, type Qrels } from "./inputs.js";
export { parseJsonSource } from "./json-source.js";
export { judgedQueries, mrrAt, ndcgAt, rankRun, recallAt, scoreQuery, METRICS, type RunEntry } from "./metrics.js";
export { mean, pairedBootstrap, percentile, seededRandom } from "./stats.js";
export {
  compareOutcome,
  renderComparisonText,
  runComparison,
  summarize,
  bucketOf,
  type Comparison,
} from "./commands/compare.js";
export { renderEvalText, runEval, type EvalReport } from "./commands/eval.js";
export { renderHtmlReport } from "./report/html.js";
export { barChart, histogramBins } from "./report/svg.js";
export { openMemory, readConfig, registerCliProviders, loadProviderPackage } from "./providers.js";
