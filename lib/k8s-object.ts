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

/**
 * Marks every object this program writes (the add-ons' and the app's alike), so
 * `kubectl get -A -l netplat.dev/managed` lists them. It is its own key because
 * `app.kubernetes.io/part-of` keeps its recommended meaning, the application an object
 * belongs to: the app's pods carry the app's name there, and the policies select them
 * by it (lib/intent/labels.ts `PART_OF_LABEL`).
 */
export const MANAGED_LABEL = "netplat.dev/managed";

/**
 * On a Service whose workload runs on other clusters (istio.oneMesh: the caller's cluster
 * defines the callee's Service so its sidecars know the host): those clusters' names,
 * comma-separated. The Service's selector matches no pod here, by design.
 */
export const RUNS_ON_ANNOTATION = "netplat.dev/runs-on";

/** The labels every object the program writes carries: the tool, this program, the component. */
export function platformLabels(
  component: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "pulumi",
    [MANAGED_LABEL]: "true",
    "app.kubernetes.io/component": component,
    ...extra,
  };
}
