/**
 * The Kubernetes object shapes the program writes and the policy pack reads: one
 * definition of each (metav1.ObjectMeta, metav1.LabelSelector, the L4 protocols of
 * NetworkPolicy, Service and container ports).
 */

export type StringMap = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: StringMap;
  annotations?: StringMap;
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

/** networking.k8s.io/v1 IPBlock: a CIDR, minus the ranges in `except`. */
export interface IPBlock {
  cidr: string;
  except?: string[];
}

/**
 * One entry of a NetworkPolicy rule's `from`/`to` list. Within one entry the selectors
 * AND (these pods in these namespaces); separate entries OR.
 */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

/** One entry of a NetworkPolicy rule's `ports` list (`port` may name a container port). */
export interface NetworkPolicyPort {
  protocol?: L4Protocol;
  port?: number | string;
  endPort?: number;
}
