/**
 * Which services run on which cluster, and the address ranges cross-cluster
 * traffic carries, which is what NetworkPolicies on each side must name.
 *
 * Through Submariner a client dials the exported service's ClusterIP in the
 * remote cluster (or, with Globalnet, its global IP); the local kube-proxy does not
 * translate it, so the client's egress policy sees the remote service range and the
 * Service port. The server's ingress policy sees the client pod's own address
 * (without Globalnet) or its cluster's global egress IP (with Globalnet).
 * https://submariner.io/getting-started/architecture/globalnet/
 */
import { ClusterConfig, PlatformConfig } from "./config";
import { ClusterView, ResolvedApp } from "./intent";

export function servicesOn(cluster: Pick<ClusterConfig, "services">, app: ResolvedApp): Set<string> {
  return new Set(
    app.spec.services.map((s) => s.name).filter((n) => !cluster.services || cluster.services.includes(n)),
  );
}

/** A declared service-to-service edge whose caller and callee run on different clusters only. */
export interface CrossClusterEdge {
  from: string;
  to: string;
  /** Clusters the caller runs on (none of them runs the callee). */
  fromClusters: string[];
  /** Clusters the callee runs on. */
  toClusters: string[];
}

/** The app's edges that must cross clusters: no cluster runs both ends. */
export function crossClusterEdges(
  clusters: ReadonlyArray<Pick<ClusterConfig, "name" | "services">>,
  app: ResolvedApp,
): CrossClusterEdge[] {
  const out: CrossClusterEdge[] = [];
  for (const e of app.edges) {
    if (e.source.kind !== "service" || e.destination.kind !== "service") continue;
    const src = e.source.name;
    const dst = e.destination.name;
    const on = (name: string) => clusters.filter((c) => servicesOn(c, app).has(name)).map((c) => c.name);
    const fromClusters = on(src);
    const toClusters = on(dst);
    if (fromClusters.some((c) => toClusters.includes(c))) continue;
    out.push({ from: src, to: dst, fromClusters, toClusters });
  }
  return out;
}

/**
 * Whether the stack's clusters are one Istio mesh (istio.oneMesh): multi-primary on one
 * network, so a sidecar dials a remote service's pods at their own addresses (its istiod
 * learned them through a remote secret) instead of the remote Service address.
 */
export function oneMesh(platform: Pick<PlatformConfig, "clusters" | "istio">): boolean {
  return platform.istio.enabled && platform.istio.oneMesh && platform.clusters.length > 1;
}

export function clusterView(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
  globalCidrOf: (cluster: ClusterConfig) => string,
): ClusterView {
  const globalnet = platform.submariner?.globalnet ?? false;
  const self = platform.clusters.find((c) => c.name === clusterName);
  if (!self) throw new Error(`no cluster named "${clusterName}"`);
  const local = servicesOn(self, app);
  const hosts = (service: string) =>
    platform.clusters.filter((c) => c.name !== clusterName && servicesOn(c, app).has(service));
  // One mesh: the client's sidecar dials the remote pods themselves, on the pod port.
  const podsDialled = oneMesh(platform) && !globalnet;
  return {
    cluster: clusterName,
    local,
    remoteDial: podsDialled ? "pod" : "service",
    remoteServiceCidrs: (service) =>
      hosts(service).map((c) => (globalnet ? globalCidrOf(c) : podsDialled ? c.podCidr : c.serviceCidr)),
    remoteClientCidrs: (service) => hosts(service).map((c) => (globalnet ? globalCidrOf(c) : c.podCidr)),
  };
}

/** Services some other cluster calls, which must therefore be exported from this one. */
export function exportedServices(platform: PlatformConfig, app: ResolvedApp, clusterName: string): string[] {
  const self = platform.clusters.find((c) => c.name === clusterName);
  if (!self) throw new Error(`no cluster named "${clusterName}"`);
  const local = servicesOn(self, app);
  const wanted = new Set<string>();
  for (const other of platform.clusters.filter((c) => c.name !== clusterName)) {
    const theirs = servicesOn(other, app);
    for (const e of app.edges) {
      if (
        e.source.kind === "service" &&
        e.destination.kind === "service" &&
        theirs.has(e.source.name) &&
        !theirs.has(e.destination.name) &&
        local.has(e.destination.name)
      ) {
        wanted.add(e.destination.name);
      }
    }
  }
  return [...wanted].sort();
}
