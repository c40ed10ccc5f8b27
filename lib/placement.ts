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
import { oneMesh, servicesOn } from "./cross-cluster";

export { servicesOn };

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
