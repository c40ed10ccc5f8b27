import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "../lib/k8s-object";
import { ShopPlan } from "../lib/shop-plan";
import { createObject } from "./k8s";
import { Microservice } from "./microservice";

export interface ShopAppArgs {
  /** What to create, from lib/shop-plan.ts. */
  plan: ShopPlan;
  /** Prefix for child names (the cluster's name). */
  prefix: string;
  /** The mesh component: AuthorizationPolicies need its CRDs, and pods its injection webhook. */
  mesh?: pulumi.Resource;
  /** Objects that route outside traffic in (Ingress, or HTTPRoute + Certificate), and what they wait for. */
  ingress: { objects: K8sObject[]; dependsOn: pulumi.Resource[] };
  /** ServiceExports for services other clusters consume, and what they wait for (Submariner). */
  exports: { objects: K8sObject[]; dependsOn: pulumi.Resource[] };
}

/**
 * The shop app on one cluster. Creation order is part of the security design: the
 * namespaces, then every NetworkPolicy (default-deny first in the same batch), and
 * only then the workloads, so no pod ever runs before its policies exist.
 */
export class ShopApp extends pulumi.ComponentResource {
  public readonly namespaces: string[];
  public readonly services: Microservice[];

  constructor(name: string, args: ShopAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:app:ShopApp", name, {}, opts);
    const { plan, prefix } = args;
    const child = { parent: this };
    const namespaces = plan.namespaces.map((ns) => createObject(prefix, ns, child));
    const inNamespaces = { parent: this, dependsOn: namespaces };
    const netpols = plan.networkPolicies.map((np) => createObject(prefix, np, inNamespaces));
    const authz = plan.authorizationPolicies.map((ap) =>
      createObject(prefix, ap, {
        parent: this,
        dependsOn: [...namespaces, ...(args.mesh ? [args.mesh] : [])],
      }),
    );
    createObject(prefix, plan.intent, inNamespaces);
    const guarded = [...namespaces, ...netpols, ...authz, ...(args.mesh ? [args.mesh] : [])];
    this.services = plan.services.map(
      (s) =>
        new Microservice(
          `${prefix}-${s.spec.name}`,
          { service: s.spec, options: s.options, prefix },
          { parent: this, dependsOn: guarded },
        ),
    );
    for (const x of plan.externalNames) createObject(prefix, x, inNamespaces);
    for (const obj of args.ingress.objects) {
      createObject(prefix, obj, { parent: this, dependsOn: [...namespaces, ...args.ingress.dependsOn] });
    }
    for (const obj of args.exports.objects) {
      createObject(prefix, obj, { parent: this, dependsOn: [...namespaces, ...args.exports.dependsOn] });
    }
    this.namespaces = plan.namespaces.map((n) => n.metadata.name);
    this.registerOutputs({ namespaces: this.namespaces });
  }
}
