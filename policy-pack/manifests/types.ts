/**
 * The Kubernetes object shapes shared by the policy rules (policy-pack/lib) and the
 * reachability analyser (policy-pack/reachability): one definition of each.
 */

export type StringMap = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
}

export interface K8sManifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  data?: StringMap;
  [key: string]: unknown;
}

/** The operators of a metav1.LabelSelectorRequirement, as the API server accepts them. */
export const LABEL_SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: StringMap;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Transport protocols of NetworkPolicy, Service and container ports. */
export const L4_PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export type L4Protocol = (typeof L4_PROTOCOLS)[number];

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
