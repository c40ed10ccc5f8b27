/**
 * The intent contract (document type, its constants, parseIntentDocument), shared
 * with the policy pack that reads the document back. It still lives in the pack's
 * folder; this is the one module of the program that imports it.
 */
export {
  INTENT_CONFIGMAP_KEY,
  INTENT_CONFIGMAP_NAME,
  INTENT_LABEL,
  parseIntentDocument,
} from "../../policy-pack/reachability/intent-document";
export type {
  ExternalPeer,
  IntentDocument,
  IntentEdge,
  IntentPeer,
  Protocol,
  WorkloadPeer,
} from "../../policy-pack/reachability/intent-document";
