/**
 * The labels the intent compiler selects pods by, and the names of the policies
 * other code refers to. Workloads (lib/workload.ts) put these labels on the pods, the
 * compiled policies select by them: both sides import them from here.
 */
import { LabelSelector } from "../k8s-object";

/** Every app pod carries it, with its service's name as value. */
export const NAME_LABEL = "app.kubernetes.io/name";
/**
 * The recommended label's meaning, the application a workload belongs to: every app
 * pod (and its Deployment, Service, ServiceAccount) carries it with the app's name, the
 * app's (first) namespace, and namespace-wide allowances select the app's pods by it.
 * Nothing else the program writes sets it (platform objects carry `MANAGED_LABEL`).
 */
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
/** The label Kubernetes sets on every namespace, with the namespace's name as value. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** istiod's pods, in the mesh's namespace. */
export const ISTIOD_LABELS = { app: "istiod" };

/** The NetworkPolicy that denies everything in an app namespace until an allow adds it. */
export const DEFAULT_DENY_NAME = "default-deny";
/** The AuthorizationPolicy that allows nothing in an app namespace until an ALLOW adds it. */
export const ALLOW_NOTHING_NAME = "allow-nothing";

/** The pods of one app service. */
export function selectorFor(service: string): LabelSelector {
  return { matchLabels: { [NAME_LABEL]: service } };
}
