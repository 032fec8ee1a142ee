export { DEVICES, DTYPES, enumField, localModelFields, type DeviceOption, type Dtype } from "./config-fields.js";
export { checkRerankInput, rankScores } from "./ranking.js";
export {
  isBatchLimitError,
  TEI_DEFAULT_MAX_BATCH,
  TeiClient,
  teiApiKey,
  type TeiCallOptions,
  type TeiClientOptions,
} from "./tei.js";
