/**
 * Test harness (not reachable from the program): stands in for one thing the Submariner
 * operator does when it runs, which a kwok node cannot: installing the Multi-Cluster
 * Services CRDs (`ServiceExport`, `ServiceImport`, group multicluster.x-k8s.io) on every
 * cluster it joins. The program's ServiceExports on a joined cluster need them.
 *
 * The definitions are read at run time from the broker chart of the chart mirror under
 * test (its crds/ folder carries the same CRDs for the broker cluster), never copied
 * into the repository. What this leaves unverified: on a real cluster the program's
 * ServiceExports race the operator's own install (README, "Known limitations").
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { apiRequest } from "../../scripts/lib/local-cluster";

const MCS_GROUP = "multicluster.x-k8s.io";

interface Crd {
  metadata: { name: string };
  spec: { group: string };
}

/** The MCS CRDs of the broker chart in `mirror` (`<mirror>/submarinerBroker/crds/*.yaml`). */
export function mcsCrds(mirror: string): Crd[] {
  const dir = path.join(mirror, "submarinerBroker", "crds");
  const crds = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJS() as Crd))
    .filter((d) => d?.spec?.group === MCS_GROUP);
  if (crds.length === 0) throw new Error(`${dir}: no CustomResourceDefinition of group ${MCS_GROUP}`);
  return crds;
}

/** Creates the MCS CRDs on a local cluster (an existing one is left as it is). */
export async function installMcsCrds(cluster: string, mirror: string): Promise<void> {
  for (const crd of mcsCrds(mirror)) {
    const r = await apiRequest(
      cluster,
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      crd,
    );
    if (r.status !== 201 && r.status !== 409) {
      throw new Error(
        `${cluster}: creating CRD ${crd.metadata.name}: HTTP ${r.status} ${r.body.slice(0, 300)}`,
      );
    }
  }
}
