/** Plain Kubernetes objects as the pure planning code produces them (and as YAML would hold them). */
import type { ObjectMeta } from "@k8s-netplat/contract";

// One definition of each, shared with the policy pack (packages/contract).
export type { LabelSelector, ObjectMeta } from "@k8s-netplat/contract";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  /** Every object the program writes is named. */
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** Standard labels every object of the platform carries. */
export function platformLabels(
  component: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "k8s-netplat",
    "app.kubernetes.io/component": component,
    ...extra,
  };
}
