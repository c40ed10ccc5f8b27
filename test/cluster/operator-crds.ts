/**
 * Test harness (not reachable from the program): stands in for one thing the Submariner
 * operator does when it runs, which a kwok node cannot: installing the Multi-Cluster
 * Services CRDs (`ServiceExport`, `ServiceImport`, group multicluster.x-k8s.io) on every
 * cluster it joins. The program's ServiceExports on a joined cluster need them.
 *
 * The definitions here are the harness's own and deliberately loose (the right group,
 * version, kinds and scope; any spec and status): on a joined cluster the suite checks
 * that the program's ServiceExports are created and removed, not their schema, which the
 * broker cluster checks with the chart's real CRDs. (The broker chart's file cannot simply
 * be reused: some of its quoted descriptions are indented as Go's YAML parser tolerates
 * and YAML 1.2 parsers refuse.) What this leaves unverified: on a real cluster the
 * program's ServiceExports race the operator's own install (README, "Known limitations").
 */
import { apiRequest } from "../../scripts/lib/local-cluster";

const MCS_GROUP = "multicluster.x-k8s.io";
const MCS_VERSION = "v1alpha1";

function looseCrd(kind: string, plural: string): Record<string, unknown> {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${MCS_GROUP}`, labels: { "netplat.dev/test-harness": "operator-crds" } },
    spec: {
      group: MCS_GROUP,
      scope: "Namespaced",
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: MCS_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

/** Creates the MCS CRDs on a local cluster (an existing one is left as it is) and waits until they are served. */
export async function installMcsCrds(cluster: string): Promise<void> {
  for (const crd of [
    looseCrd("ServiceExport", "serviceexports"),
    looseCrd("ServiceImport", "serviceimports"),
  ]) {
    const r = await apiRequest(
      cluster,
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      crd,
    );
    if (r.status !== 201 && r.status !== 409) {
      const name = (crd.metadata as { name: string }).name;
      throw new Error(`${cluster}: creating CRD ${name}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    }
  }
  for (let i = 0; i < 60; i++) {
    if ((await apiRequest(cluster, "GET", `/apis/${MCS_GROUP}/${MCS_VERSION}`)).status === 200) return;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`${cluster}: ${MCS_GROUP}/${MCS_VERSION} not served 30 s after creating its CRDs`);
}
