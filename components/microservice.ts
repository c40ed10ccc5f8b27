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
    for (const obj of microserviceObjects(args.service, args.options)) {
      createObject(args.prefix, obj, { parent: this });
    }
    this.address = `${args.service.name}.${args.options.namespace}.svc.cluster.local`;
    this.registerOutputs({ address: this.address });
  }
}
