import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../lib/app-spec";
import { WorkloadOptions, microserviceObjects } from "../lib/workload";
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

  constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:app:Microservice", name, {}, opts);
    const objects = microserviceObjects(args.service, args.options);
    // Pods name their ServiceAccount: a workload created before it has its pods refused
    // ("serviceaccount not found") and retried with a growing back-off, so it waits for it.
    const accounts = objects
      .filter((o) => o.kind === "ServiceAccount")
      .map((o) => createObject(args.prefix, o, { parent: this }));
    for (const obj of objects.filter((o) => o.kind !== "ServiceAccount")) {
      const workload = obj.kind === "Deployment" || obj.kind === "StatefulSet";
      createObject(args.prefix, obj, { parent: this, ...(workload ? { dependsOn: accounts } : {}) });
    }
    this.address = `${args.service.name}.${args.options.namespace}.svc.cluster.local`;
    this.registerOutputs({ address: this.address });
  }
}
