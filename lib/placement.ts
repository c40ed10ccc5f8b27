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

/** The services the named cluster runs; an unknown name is a programming error. */
function servicesOfCluster(platform: PlatformConfig, app: ResolvedApp, clusterName: string): Set<string> {
  const self = platform.clusters.find((c) => c.name === clusterName);
  if (!self) throw new Error(`no cluster named "${clusterName}"`);
  return servicesOn(self, app);
}

/** The declared service-to-service edges whose caller is one of `callers`. */
function callsFrom(
  app: ResolvedApp,
  callers: ReadonlySet<string>,
): Array<{ name: string; namespace: string }> {
  return app.edges.flatMap((e) =>
    e.source.kind === "service" && e.destination.kind === "service" && callers.has(e.source.name)
      ? [{ name: e.destination.name, namespace: e.destination.namespace }]
      : [],
  );
}

export function clusterView(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
  globalCidrOf: (cluster: ClusterConfig) => string,
): ClusterView {
  const globalnet = platform.submariner?.globalnet ?? false;
  const local = servicesOfCluster(platform, app, clusterName);
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
  const local = servicesOfCluster(platform, app, clusterName);
  const wanted = new Set<string>();
  for (const other of platform.clusters.filter((c) => c.name !== clusterName)) {
    const theirs = servicesOn(other, app);
    for (const callee of callsFrom(app, theirs)) {
      if (!theirs.has(callee.name) && local.has(callee.name)) wanted.add(callee.name);
    }
  }
  return [...wanted].sort();
}

/** A service this cluster's services call that runs only on other clusters, and where it runs. */
export interface RemoteCallee {
  service: string;
  /** The clusters running its workload, sorted. */
  runsOn: string[];
}

/**
 * The services some service on this cluster calls (a declared edge) that this cluster does
 * not run, sorted by name. Under one mesh each of them gets its Service here too, so the
 * caller dials `<svc>.<ns>.svc.cluster.local` and its sidecar routes to the remote pods.
 */
export function remoteCallees(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
): RemoteCallee[] {
  const local = servicesOfCluster(platform, app, clusterName);
  const called = new Set(
    callsFrom(app, local)
      .map((callee) => callee.name)
      .filter((name) => !local.has(name)),
  );
  return [...called].sort().map((service) => ({
    service,
    runsOn: platform.clusters
      .filter((c) => servicesOn(c, app).has(service))
      .map((c) => c.name)
      .sort(),
  }));
}

/**
 * The DNS name this cluster's services dial for each service they call (a stack output):
 * `<svc>.<ns>.svc.cluster.local` for a service that runs here, and under one mesh for one
 * that runs elsewhere too (its Service is defined here); otherwise Submariner Lighthouse's
 * `<svc>.<ns>.svc.clusterset.local`, the exported Service in the cluster that runs it.
 */
export function dialNames(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
): Record<string, string> {
  const local = servicesOfCluster(platform, app, clusterName);
  const mesh = oneMesh(platform);
  const out: Record<string, string> = {};
  for (const d of callsFrom(app, local)) {
    const domain = local.has(d.name) || mesh ? "cluster.local" : "clusterset.local";
    out[d.name] = `${d.name}.${d.namespace}.svc.${domain}`;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
