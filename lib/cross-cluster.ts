/**
 * Which declared edges cross clusters, and whether the clusters are one Istio mesh. Kept
 * apart from lib/placement.ts, with structural types, so the config's validation
 * (lib/config.ts) can use it without an import cycle.
 */
import type { ResolvedApp } from "./intent";

/** What placement needs of a cluster: its name and the services it runs (all when absent). */
export interface ClusterPlacement {
  name: string;
  services?: string[];
}

export function servicesOn(cluster: ClusterPlacement, app: ResolvedApp): Set<string> {
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
  clusters: ReadonlyArray<ClusterPlacement>,
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
export function oneMesh(platform: {
  clusters: ReadonlyArray<unknown>;
  istio: { enabled: boolean; oneMesh: boolean };
}): boolean {
  return platform.istio.enabled && platform.istio.oneMesh && platform.clusters.length > 1;
}
