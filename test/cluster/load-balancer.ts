/**
 * TEST HARNESS ONLY: a stand-in for a cloud load-balancer controller on a local cluster.
 * Pulumi waits for a LoadBalancer Service to get an address; no controller here gives
 * one, so while the lifecycle suite runs `pulumi up` this loop fills in
 * `status.loadBalancer.ingress` of every LoadBalancer Service that lacks it. The address
 * is the fake nodes' documentation IP: nothing is ever sent to it. Left unverified:
 * that a real load balancer comes up and routes to the ingress controller.
 */
import { FAKE_NODE_IP, apiRequest } from "../../scripts/lib/local-cluster";

interface ServiceList {
  items: Array<{
    metadata: { name: string; namespace: string };
    spec: { type?: string };
    status?: { loadBalancer?: { ingress?: unknown[] } };
  }>;
}

/** Starts the loop for the named clusters; returns a function that stops it. */
export function fakeLoadBalancers(clusters: string[], everyMs = 1000): () => void {
  let stopped = false;
  const tick = async () => {
    for (const c of clusters) {
      const r = await apiRequest(c, "GET", "/api/v1/services").catch(() => undefined);
      if (!r || r.status !== 200) continue;
      for (const s of (JSON.parse(r.body) as ServiceList).items) {
        if (s.spec.type !== "LoadBalancer" || (s.status?.loadBalancer?.ingress ?? []).length > 0) continue;
        await apiRequest(
          c,
          "PATCH",
          `/api/v1/namespaces/${s.metadata.namespace}/services/${s.metadata.name}/status`,
          { status: { loadBalancer: { ingress: [{ ip: FAKE_NODE_IP, ipMode: "VIP" }] } } },
          "application/merge-patch+json",
        ).catch(() => undefined);
      }
    }
  };
  const loop = async () => {
    while (!stopped) {
      await tick();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

// Run as its own process (`node -r ts-node/register/transpile-only test/cluster/load-balancer.ts
// <cluster>...`): the suite runs `pulumi` synchronously, so a loop in its own process
// would not get a turn while Pulumi waits for the address.
if (require.main === module) {
  const clusters = process.argv.slice(2);
  const stop = fakeLoadBalancers(clusters);
  process.on("SIGTERM", () => {
    stop();
    process.exit(0);
  });
}
