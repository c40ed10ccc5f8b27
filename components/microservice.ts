import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../lib/app-spec";
import { WorkloadOptions } from "../lib/workload";
import { serviceObjects } from "../lib/traffic";
import { createObject } from "./k8s";

export interface MicroserviceArgs {
  service: ServiceSpec;
  options: WorkloadOptions;
  /** Prefix for child names; the cluster's name in a multi-cluster stack. */
  prefix: string;
}

/**
 * One app service: ServiceAccount, Deployment or StatefulSet (+ headless Service),
 * ClusterIP Service, and PDB/HPA where the stack asks (see lib/workload.ts).
 */
export class Microservice extends pulumi.ComponentResource {
  /** The in-cluster DNS name clients dial. */
  public readonly address: string;
  public readonly serviceAccount: k8s.core.v1.ServiceAccount;
  /** The ClusterIP Service clients dial (`address`). */
  public readonly service: k8s.core.v1.Service;
  /** The Deployment (the first version's, with versions), or the StatefulSet of a stateful member. */
  public readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
  /** Every object created, in creation order (PDB, HPA and headless Service included). */
  public readonly resources: pulumi.CustomResource[];

  constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:app:Microservice", name, {}, opts);
    const objects = serviceObjects(args.service, args.options);
    // Pods name their ServiceAccount: a workload created before it has its pods refused
    // ("serviceaccount not found") and retried with a growing back-off, so it waits for it.
    const accounts = objects.map((o, i) => (o.kind === "ServiceAccount" ? i : -1)).filter((i) => i >= 0);
    const resources: pulumi.CustomResource[] = new Array(objects.length);
    for (const i of accounts) resources[i] = createObject(args.prefix, objects[i], { parent: this });
    const accountResources = accounts.map((i) => resources[i]);
    objects.forEach((obj, i) => {
      if (obj.kind === "ServiceAccount") return;
      const workload = obj.kind === "Deployment" || obj.kind === "StatefulSet";
      resources[i] = createObject(args.prefix, obj, {
        parent: this,
        ...(workload ? { dependsOn: accountResources } : {}),
      });
    });
    this.resources = resources;
    const created = (kinds: string[], name: string) => {
      const i = objects.findIndex((o) => kinds.includes(o.kind) && o.metadata.name === name);
      if (i < 0) throw new Error(`${name}: the plan has no ${kinds.join(" or ")} named ${name}`);
      return this.resources[i];
    };
    this.serviceAccount = created(["ServiceAccount"], args.service.name) as k8s.core.v1.ServiceAccount;
    // A stateful member also has a headless Service under another name; this is the one clients dial.
    this.service = created(["Service"], args.service.name) as k8s.core.v1.Service;
    const firstVersion = args.service.versions?.[0];
    this.workload = created(
      ["Deployment", "StatefulSet"],
      firstVersion && !args.service.stateful
        ? `${args.service.name}-${firstVersion.name}`
        : args.service.name,
    ) as k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
    this.address = `${args.service.name}.${args.options.namespace}.svc.cluster.local`;
    this.registerOutputs({ address: this.address });
  }
}
