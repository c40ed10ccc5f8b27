/**
 * Everything the app needs on one cluster, as plain objects: namespaces, the
 * services placed there, ExternalName services for the SaaS it calls, and what the
 * traffic intent compiles to. The ShopApp component only creates these.
 */
import { K8sObject, platformLabels } from "./k8s-object";
import {
  ClusterView,
  PolicyOptions,
  ResolvedApp,
  compileAuthorizationPolicies,
  compileNetworkPolicies,
  intentConfigMap,
  intentDocument,
  localNamespaces,
  namespaceOf,
} from "./intent";
import { ServiceSpec } from "./app-spec";
import { WorkloadOptions } from "./workload";

export interface ShopPlan {
  namespaces: K8sObject[];
  services: Array<{ spec: ServiceSpec; options: WorkloadOptions }>;
  externalNames: K8sObject[];
  networkPolicies: K8sObject[];
  /** Empty when the mesh is off. */
  authorizationPolicies: K8sObject[];
  intent: K8sObject;
  /** DestinationRules, VirtualServices, per-version Services (lib/traffic.ts); set by planCluster. */
  traffic?: K8sObject[];
  /** ServiceEntries and the egress gateway's routing (lib/addons/istio-egress.ts); set by planCluster. */
  egress?: K8sObject[];
}

export interface ShopPlanOptions {
  replicas: number;
  autoscaling?: WorkloadOptions["autoscaling"];
  podDisruptionBudget: boolean;
  /** Labels for the app namespaces, e.g. Istio's revision label for sidecar injection. */
  namespaceLabels: Record<string, string>;
  policy: PolicyOptions;
}

export function planShopApp(app: ResolvedApp, view: ClusterView, o: ShopPlanOptions): ShopPlan {
  const local = app.spec.services.filter((s) => view.local.has(s.name));
  const namespaces = localNamespaces(app, view);
  const callers = new Map<string, string>();
  for (const e of app.edges) {
    if (e.destination.kind === "external" && e.source.kind === "service" && view.local.has(e.source.name)) {
      callers.set(e.destination.name, e.source.namespace);
    }
  }
  return {
    namespaces: namespaces.map((name) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { ...platformLabels("app"), ...o.namespaceLabels } },
    })),
    services: local.map((spec) => ({
      spec,
      options: {
        namespace: namespaceOf(app.spec, spec),
        partOf: app.spec.namespace,
        replicas: o.replicas,
        autoscaling: o.autoscaling,
        podDisruptionBudget: o.podDisruptionBudget,
      },
    })),
    // An ExternalName Service is only a DNS alias (CNAME); it opens nothing. The
    // payment pods still need the egress allow the intent compiles for the SaaS ranges.
    externalNames: app.spec.externals
      .filter((x) => callers.has(x.name))
      .map((x) => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: x.name,
          namespace: callers.get(x.name),
          labels: platformLabels("external-service"),
        },
        spec: { type: "ExternalName", externalName: x.host },
      })),
    networkPolicies: compileNetworkPolicies(app, o.policy, view),
    authorizationPolicies: o.policy.mesh
      ? compileAuthorizationPolicies(
          app,
          { trustDomain: o.policy.mesh.trustDomain, ingress: o.policy.ingress },
          view,
        )
      : [],
    intent: intentConfigMap(intentDocument(app, o.policy, view)),
  };
}
