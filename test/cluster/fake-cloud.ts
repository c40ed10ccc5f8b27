/**
 * TEST HARNESS ONLY: stand-ins for what a cloud gives a real cluster, on a local one.
 * - Load balancers: Pulumi waits for a LoadBalancer Service to get an address; this loop
 *   fills in `status.loadBalancer.ingress` of every LoadBalancer Service that lacks it,
 *   with the fake nodes' documentation IP (nothing is ever sent to it).
 * - Ingress status: Pulumi also waits for an Ingress to get an address, which the ingress
 *   controller (a pod that runs nothing here) would publish; the loop publishes the same
 *   documentation IP.
 * - Storage: a StatefulSet's pods wait for their PersistentVolumeClaims to be bound; no
 *   provisioner runs here, so this loop creates a PersistentVolume (an object only: a
 *   hostPath no pod ever mounts) reserved for each pending claim.
 * Left unverified: that a real load balancer routes to the ingress controller, and that
 * a real StorageClass provisions the claims.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { FAKE_NODE_IP, apiRequest } from "../../scripts/lib/local-cluster";

interface ClaimList {
  items: Array<{
    metadata: { name: string; namespace: string; uid: string };
    spec: { accessModes?: string[]; resources?: { requests?: { storage?: string } }; volumeName?: string };
    status?: { phase?: string };
  }>;
}

/** A PersistentVolume reserved for one pending claim (the PV controller then binds them). */
export function volumeFor(claim: ClaimList["items"][number]): Record<string, unknown> {
  const { namespace, name, uid } = claim.metadata;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: `fake-${namespace}-${name}`.slice(0, 253),
      labels: { "netplat.test/fake-cloud": "true" },
    },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec.accessModes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name, uid },
      hostPath: { path: `/var/lib/netplat-fake/${namespace}/${name}` },
    },
  };
}

interface ServiceList {
  items: Array<{
    metadata: { name: string; namespace: string };
    spec: { type?: string };
    status?: { loadBalancer?: { ingress?: unknown[] } };
  }>;
}

/** Starts the loop for the named clusters; returns a function that stops it. */
export function fakeCloud(clusters: string[], everyMs = 1000): () => void {
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
      const ingresses = await apiRequest(c, "GET", "/apis/networking.k8s.io/v1/ingresses").catch(
        () => undefined,
      );
      for (const ing of ingresses?.status === 200 ? (JSON.parse(ingresses.body) as ServiceList).items : []) {
        if ((ing.status?.loadBalancer?.ingress ?? []).length > 0) continue;
        await apiRequest(
          c,
          "PATCH",
          `/apis/networking.k8s.io/v1/namespaces/${ing.metadata.namespace}/ingresses/${ing.metadata.name}/status`,
          { status: { loadBalancer: { ingress: [{ ip: FAKE_NODE_IP }] } } },
          "application/merge-patch+json",
        ).catch(() => undefined);
      }
      const claims = await apiRequest(c, "GET", "/api/v1/persistentvolumeclaims").catch(() => undefined);
      if (!claims || claims.status !== 200) continue;
      for (const claim of (JSON.parse(claims.body) as ClaimList).items) {
        if (claim.status?.phase !== "Pending" || claim.spec.volumeName) continue;
        await apiRequest(c, "POST", "/api/v1/persistentvolumes", volumeFor(claim)).catch(() => undefined);
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

/** The harness as its own process, for suites that block on synchronous `pulumi` runs. */
export function startFakeCloud(clusters: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "fake-cloud.ts"), ...clusters],
    { stdio: "ignore" },
  );
}

// Run as its own process (`node -r ts-node/register/transpile-only test/cluster/fake-cloud.ts
// <cluster>...`): the suite runs `pulumi` synchronously, so a loop in its own process
// would not get a turn while Pulumi waits for the address.
if (require.main === module) {
  const clusters = process.argv.slice(2);
  const stop = fakeCloud(clusters);
  process.on("SIGTERM", () => {
    stop();
    process.exit(0);
  });
}
