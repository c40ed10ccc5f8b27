/**
 * Everything the app needs on one cluster, as plain objects: namespaces, the
 * services placed there, ExternalName services for the SaaS it calls, and what the
 * traffic intent compiles to. The ShopApp component only creates these.
 */
import { K8sObject, RUNS_ON_ANNOTATION, platformLabels } from "./k8s-object";
import {
  ClusterView,
  PolicyOptions,
  ResolvedApp,
  compileAuthorizationPolicies,
  compileNetworkPolicies,
  defaultDeny,
  intentConfigMap,
  intentDocument,
  localNamespaces,
  namespaceOf,
} from "./intent";
import { ServiceSpec } from "./app-spec";
import { WorkloadOptions, clusterIpService } from "./workload";
import type { RemoteCallee } from "./placement";

export interface ShopPlan {
  namespaces: K8sObject[];
  services: Array<{ spec: ServiceSpec; options: WorkloadOptions }>;
  externalNames: K8sObject[];
  networkPolicies: K8sObject[];
  /** Empty when the mesh is off. */
  authorizationPolicies: K8sObject[];
  /**
   * One mesh (istio.oneMesh): the Services of the services called from here that run only
   * on other clusters (no workload here); annotated with where they run. Empty otherwise.
   */
  meshServices: K8sObject[];
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
  /**
   * One mesh: the services called from here that run elsewhere (lib/placement.ts
   * remoteCallees). Each gets its Service here, and its namespace if nothing here runs in it.
   */
  remoteCallees?: RemoteCallee[];
}

export function planShopApp(app: ResolvedApp, view: ClusterView, o: ShopPlanOptions): ShopPlan {
  const local = app.spec.services.filter((s) => view.local.has(s.name));
  const ownNamespaces = localNamespaces(app, view);
  const remote = (o.remoteCallees ?? []).map((r) => {
    const spec = app.spec.services.find((s) => s.name === r.service);
    if (!spec) throw new Error(`remote callee "${r.service}" is not one of the app's services`);
    return { spec, namespace: namespaceOf(app.spec, spec), runsOn: r.runsOn };
  });
  // A namespace that holds only remote callees' Services: created like the others (with
  // sidecar injection) and denied by default, though no pod of the app runs in it here.
  const podless = app.namespaces.filter(
    (ns) => !ownNamespaces.includes(ns) && remote.some((r) => r.namespace === ns),
  );
  const namespaces = app.namespaces.filter((ns) => ownNamespaces.includes(ns) || podless.includes(ns));
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
    networkPolicies: [...compileNetworkPolicies(app, o.policy, view), ...podless.map(defaultDeny)],
    authorizationPolicies: o.policy.mesh
      ? compileAuthorizationPolicies(
          app,
          { trustDomain: o.policy.mesh.trustDomain, ingress: o.policy.ingress },
          view,
        )
      : [],
    meshServices: remote.map((r) => {
      const svc = clusterIpService(r.spec, { namespace: r.namespace, partOf: app.spec.namespace });
      svc.metadata.annotations = { [RUNS_ON_ANNOTATION]: r.runsOn.join(",") };
      return svc;
    }),
    intent: intentConfigMap(intentDocument(app, o.policy, view)),
  };
}
