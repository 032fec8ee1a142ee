export {
  checkLocalOrHosted,
  DEVICES,
  DTYPES,
  enumField,
  LOCAL_ONLY_KEYS,
  localModelFields,
  localModelSettings,
  type DeviceOption,
  type Dtype,
  type LocalOrHostedRules,
} from "./config-fields.js";
export { hfCacheDir, repoCacheFolder, withQuietHubDownloads } from "./hub-cache.js";
export { checkRerankInput, rankScores } from "./ranking.js";
export {
  isBatchLimitError,
  TEI_DEFAULT_MAX_BATCH,
  TeiClient,
  teiApiKey,
  type TeiCallOptions,
  type TeiClientOptions,
} from "./tei.js";
