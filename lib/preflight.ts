/**
 * Before a deploy registers anything: every cluster's kubeconfig (from the stack's
 * `kubeconfigs` secret) must reach a ready API server that accepts its credentials and
 * runs the version the stack expects. A stack whose second cluster is down, or whose
 * credential has expired, then fails as a whole with the cluster named, instead of
 * half-applying to the clusters that happened to answer.
 */
import { endpointFromKubeconfig, fetchApi, fetchServerVersion, versionMatches } from "./kube-version";

export interface PreflightCluster {
  name: string;
  context?: string;
  kubernetesVersion?: string;
}

/** A cluster with no entry in the `kubeconfigs` secret: what is there, and how to set it. */
export function missingKubeconfig(cluster: string, kubeconfigs: Readonly<Record<string, string>>): string {
  return (
    `cluster ${cluster}: no entry in the kubeconfigs secret (entries: ${Object.keys(kubeconfigs).join(", ") || "none"}); ` +
    `set it with: pulumi config set --secret --path 'kubeconfigs["${cluster}"]' < kubeconfig`
  );
}

/**
 * The kubeconfig of one cluster from the `kubeconfigs` secret. A missing entry is an error
 * naming the cluster, never a silent fall back to the ambient $KUBECONFIG (which could be
 * another cluster's): the provider is built on this, whoever calls it.
 */
export function kubeconfigFor(cluster: string, kubeconfigs: Readonly<Record<string, string>>): string {
  const text = kubeconfigs[cluster];
  if (text === undefined) throw new Error(missingKubeconfig(cluster, kubeconfigs));
  return text;
}

/**
 * Without the `kubeconfigs` secret every provider uses the ambient kubeconfig ($KUBECONFIG
 * or ~/.kube/config) at the cluster's `context`, or its current context when none is set.
 * Two clusters must then name two different contexts, or both would deploy to one cluster.
 */
export function ambientCredentialProblems(clusters: ReadonlyArray<PreflightCluster>): string[] {
  if (clusters.length < 2) return [];
  const problems: string[] = [];
  const byContext = new Map<string, string>();
  for (const c of clusters) {
    if (!c.context) {
      problems.push(
        `cluster ${c.name}: no entry in a kubeconfigs secret and no clusters[].context: with ${clusters.length} clusters ` +
          `each needs its own context in the ambient kubeconfig, or its own kubeconfig: ` +
          `pulumi config set --secret --path 'kubeconfigs["${c.name}"]' < kubeconfig`,
      );
      continue;
    }
    const other = byContext.get(c.context);
    if (other) {
      problems.push(
        `clusters ${other} and ${c.name} both use context ${c.context}: each cluster needs its own`,
      );
    }
    byContext.set(c.context, c.name);
  }
  return problems;
}

/** One problem per cluster that is not fit to deploy to, each naming the cluster and the fix. */
export async function preflightProblems(
  clusters: ReadonlyArray<PreflightCluster>,
  kubeconfigs: Readonly<Record<string, string>>,
): Promise<string[]> {
  const checks = clusters.map(async (c): Promise<string | undefined> => {
    const text = kubeconfigs[c.name];
    if (text === undefined) return missingKubeconfig(c.name, kubeconfigs);
    let ep;
    try {
      ep = endpointFromKubeconfig(text, `kubeconfigs["${c.name}"]`, c.context);
    } catch (e) {
      return `cluster ${c.name}: unusable kubeconfig: ${(e as Error).message}`;
    }
    try {
      await fetchApi(ep, "/readyz");
    } catch (e) {
      const m = (e as Error).message;
      if (/HTTP 401/.test(m)) {
        return `cluster ${c.name}: the API server refused the credentials in kubeconfigs["${c.name}"] (wrong or expired): ${m}`;
      }
      if (/HTTP 403/.test(m)) {
        return `cluster ${c.name}: the credentials in kubeconfigs["${c.name}"] may not read /readyz (HTTP 403): ${m}`;
      }
      return `cluster ${c.name}: the API server is not ready: ${m}`;
    }
    if (c.kubernetesVersion) {
      const v = await fetchServerVersion(ep).catch((e: Error) => `unknown (${e.message})`);
      if (!/^v?\d/.test(v) || !versionMatches(c.kubernetesVersion, v)) {
        return `cluster ${c.name}: kubernetesVersion is ${c.kubernetesVersion} but the server runs ${v}`;
      }
    }
    return undefined;
  });
  return (await Promise.all(checks)).filter((p): p is string => p !== undefined);
}
