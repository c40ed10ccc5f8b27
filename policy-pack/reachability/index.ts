/** NetworkPolicy reachability analyser: public surface. Pure TypeScript, no Pulumi. */
export { ConnSet, PROTOCOLS, type L4Protocol } from "./conns";
export {
  analyse,
  Reachability,
  formatConnectionsText,
  formatConnectionsJson,
  EXTERNAL_SUFFIX,
  type AnalyseOptions,
  type Connection,
  type ExternalRange,
} from "./analyse";
export {
  readObjects,
  flattenObjects,
  NS_NAME_LABEL,
  WORKLOAD_KINDS,
  type Workload,
  type Model,
} from "./objects";
export { loadManifests, parseManifests, InputError, type LoadedManifest } from "../manifests";
export { checkIntent, formatIntentTable, type IntentFinding } from "./check-intent";
