/**
 * The Kubernetes object shapes shared by the policy rules (policy-pack/lib) and the
 * reachability analyser (policy-pack/reachability): one definition of each.
 */

import type { ObjectMeta, StringMap } from "@k8s-netplat/contract";

// Defined once, with the program, in the shared package (packages/contract).
export {
  L4_PROTOCOLS,
  LABEL_SELECTOR_OPERATORS,
  type L4Protocol,
  type LabelSelector,
  type LabelSelectorOperator,
  type LabelSelectorRequirement,
  type ObjectMeta,
  type StringMap,
} from "@k8s-netplat/contract";

export interface K8sManifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  data?: StringMap;
  [key: string]: unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
