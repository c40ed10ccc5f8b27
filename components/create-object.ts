/**
 * Turns the plain objects the planning code produces into Pulumi resources, one
 * typed class per built-in kind (so the provider knows their schema and await
 * logic), CustomResource for everything else.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "../lib/k8s-object";

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const BUILT_IN: Record<string, Ctor> = {
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/Service": k8s.core.v1.Service,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
  "apps/v1/DaemonSet": k8s.apps.v1.DaemonSet,
  "batch/v1/Job": k8s.batch.v1.Job,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "networking.k8s.io/v1/Ingress": k8s.networking.v1.Ingress,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
};

/** A Pulumi name for an object, unique per stack: prefix (the cluster), namespace, kind, name. */
export function resourceName(prefix: string, obj: K8sObject): string {
  const ns = obj.metadata.namespace ? `${obj.metadata.namespace}-` : "";
  return `${prefix}-${ns}${obj.kind.toLowerCase()}-${obj.metadata.name}`;
}

export function createObject(
  prefix: string,
  obj: K8sObject,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const ctor = BUILT_IN[`${obj.apiVersion}/${obj.kind}`];
  const name = resourceName(prefix, obj);
  if (ctor) return new ctor(name, obj as never, opts);
  return new k8s.apiextensions.CustomResource(name, obj as k8s.apiextensions.CustomResourceArgs, opts);
}
