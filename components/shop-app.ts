import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "../lib/k8s-object";
import { ShopPlan } from "../lib/shop-app-plan";
import { ALLOW_NOTHING_NAME, DEFAULT_DENY_NAME } from "../lib/intent";
import { createObject } from "./create-object";
import { Microservice } from "./microservice";

export interface ShopAppArgs {
  /** What to create, from lib/shop-app-plan.ts. */
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
 * namespaces, then the NetworkPolicies, and the workloads only once their
 * namespace's default-deny (and Istio allow-nothing) exist, so no pod ever runs open.
 */
export class ShopApp extends pulumi.ComponentResource {
  public readonly namespaces: string[];
  public readonly services: Microservice[];
  public readonly networkPolicies: k8s.networking.v1.NetworkPolicy[];
  /** Istio AuthorizationPolicies (allow-nothing per namespace, one ALLOW per called service). */
  public readonly authorizationPolicies: k8s.apiextensions.CustomResource[];
  /** Ingress or HTTPRoute (and Certificate) routing users to the app. */
  public readonly routes: pulumi.CustomResource[];

  constructor(name: string, args: ShopAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:app:ShopApp", name, {}, opts);
    const { plan, prefix } = args;
    const child = { parent: this };
    const namespaces = new Map(
      plan.namespaces.map((ns) => [ns.metadata.name, createObject(prefix, ns, child)]),
    );
    const allNamespaces = [...namespaces.values()];
    const inNamespaces = { parent: this, dependsOn: allNamespaces };
    // A workload waits for its namespace's deny-by-default guards (not for every allow:
    // an allow created later only delays traffic, it never exposes anything), which
    // keeps the dependency count linear in the number of services.
    const guards = new Map<string, pulumi.Resource[]>();
    const guard = (obj: K8sObject, r: pulumi.Resource) => {
      if (obj.metadata.name !== DEFAULT_DENY_NAME && obj.metadata.name !== ALLOW_NOTHING_NAME) return;
      const ns = obj.metadata.namespace!;
      guards.set(ns, [...(guards.get(ns) ?? []), r]);
    };
    this.networkPolicies = plan.networkPolicies.map((np) => {
      const r = createObject(prefix, np, inNamespaces) as k8s.networking.v1.NetworkPolicy;
      guard(np, r);
      return r;
    });
    this.authorizationPolicies = plan.authorizationPolicies.map((ap) => {
      const r = createObject(prefix, ap, {
        parent: this,
        dependsOn: [...allNamespaces, ...(args.mesh ? [args.mesh] : [])],
      }) as k8s.apiextensions.CustomResource;
      guard(ap, r);
      return r;
    });
    createObject(prefix, plan.intent, inNamespaces);
    // Routing (DestinationRule, VirtualService) needs Istio's CRDs; per-version Services only the namespace.
    for (const t of plan.traffic ?? []) {
      createObject(prefix, t, {
        parent: this,
        dependsOn: [...allNamespaces, ...(args.mesh && t.kind !== "Service" ? [args.mesh] : [])],
      });
    }
    // ServiceEntries and the egress gateway's routing: Istio's CRDs, and the egress namespace
    // (the Istio component creates it with the gateway).
    for (const x of plan.egress ?? []) {
      createObject(prefix, x, {
        parent: this,
        dependsOn: [...allNamespaces, ...(args.mesh ? [args.mesh] : [])],
      });
    }
    this.services = plan.services.map((s) => {
      const ns = s.options.namespace;
      const dependsOn = [namespaces.get(ns)!, ...(guards.get(ns) ?? []), ...(args.mesh ? [args.mesh] : [])];
      return new Microservice(
        `${prefix}-${s.spec.name}`,
        { service: s.spec, options: s.options, prefix },
        { parent: this, dependsOn },
      );
    });
    for (const x of plan.externalNames) createObject(prefix, x, inNamespaces);
    // One mesh: Services of callees that run on other clusters (no pods here to guard).
    for (const x of plan.meshServices) createObject(prefix, x, inNamespaces);
    this.routes = args.ingress.objects.map((obj) =>
      createObject(prefix, obj, { parent: this, dependsOn: [...allNamespaces, ...args.ingress.dependsOn] }),
    );
    for (const obj of args.exports.objects) {
      createObject(prefix, obj, { parent: this, dependsOn: [...allNamespaces, ...args.exports.dependsOn] });
    }
    this.namespaces = plan.namespaces.map((n) => n.metadata.name);
    this.registerOutputs({ namespaces: this.namespaces });
  }
}
