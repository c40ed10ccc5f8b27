/**
 * Which of the app's services run on the cluster being compiled for. One cluster means
 * everything is local; with several, a service that runs elsewhere is reached at (or
 * arrives from) the address ranges the view gives.
 */
import { ResolvedApp, namespaceOf } from "./edges";

/** Where each service runs, for the multi-cluster case; one cluster means everything is local. */
export interface ClusterView {
  /** This cluster's name. */
  cluster: string;
  /** Services running on this cluster. */
  local: ReadonlySet<string>;
  /**
   * What a client here dials for a service that runs only elsewhere: the remote Service
   * address on the Service port (`service`, through Submariner), or, when the clusters are
   * one Istio mesh, the remote pods on the pod port (`pod`: the sidecar knows them as
   * endpoints). Default `service`.
   */
  remoteDial?: "service" | "pod";
  /**
   * For a service that runs only elsewhere: the address range its clients dial
   * (the remote cluster's service CIDR, its Globalnet range, or its pod CIDR when `remoteDial` is `pod`).
   */
  remoteServiceCidrs: (service: string) => string[];
  /** For a client that runs only elsewhere: the ranges its connections arrive from. */
  remoteClientCidrs: (service: string) => string[];
}

export function singleCluster(app: ResolvedApp, cluster = "default"): ClusterView {
  return {
    cluster,
    local: new Set(app.spec.services.map((s) => s.name)),
    remoteServiceCidrs: () => [],
    remoteClientCidrs: () => [],
  };
}

/** Namespaces holding the services that run on this cluster, sorted. */
export function localNamespaces(app: ResolvedApp, view: ClusterView): string[] {
  return app.namespaces.filter((ns) =>
    app.spec.services.some((s) => view.local.has(s.name) && namespaceOf(app.spec, s) === ns),
  );
}

/** Namespaces on this cluster that the ingress controller routes into. */
export function ingressNamespaces(app: ResolvedApp, view: ClusterView): string[] {
  const out = new Set<string>();
  for (const e of app.edges) {
    if (
      e.source.kind === "ingress-controller" &&
      e.destination.kind === "service" &&
      view.local.has(e.destination.name)
    ) {
      out.add(e.destination.namespace);
    }
  }
  return [...out].sort();
}
