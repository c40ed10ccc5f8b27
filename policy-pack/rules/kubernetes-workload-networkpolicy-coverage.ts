import { EXEMPT_NAMESPACES_SCHEMA } from "../lib/namespaces";
import { netpolSpec, policyTypesOf } from "../lib/netpol";
import { isWorkload, podTemplateOf } from "../lib/pods";
import { stackRule } from "../lib/rule";
import { isEmptySelector, selectorPredicate } from "../lib/selectors";
import { effectiveNamespace, type ManifestObject, ofKind } from "../lib/stack";
import type { StringMap } from "../manifests/types";

export interface CoverageConfig {
  exemptNamespaces: string[];
}

export const workloadNetworkPolicyCoverage = stackRule<CoverageConfig>(
  {
    name: "kubernetes-workload-networkpolicy-coverage",
    description:
      "Every workload's pods are selected by some NetworkPolicy for Ingress and by some NetworkPolicy for Egress in their namespace (per cluster), so none is left wide open in either direction.",
    severity: "high",
    remediation:
      "Add a NetworkPolicy (a namespace default-deny, then allowances) whose podSelector matches the workload's pod labels, with policyTypes Ingress and Egress",
    enforcementLevel: "mandatory",
    config: { exemptNamespaces: EXEMPT_NAMESPACES_SCHEMA },
  },
  ({ view, config, report }) => {
    for (const c of view.clusters) {
      const byNamespace = policiesByNamespace(ofKind(c, "NetworkPolicy"));
      for (const w of c.manifests.filter((o) => isWorkload(o.manifest))) {
        const ns = effectiveNamespace(w);
        if (config.exemptNamespaces.includes(ns)) continue;
        const labels = podTemplateOf(w.manifest)?.labels ?? {};
        const pols = byNamespace.get(ns);
        const missing = (["Ingress", "Egress"] as const).filter(
          (d) => !pols?.all.has(d) && !pols?.some.some((p) => p.types.has(d) && p.matches(labels)),
        );
        if (missing.length > 0) report(w, `no NetworkPolicy selects its pods for ${missing.join(" or ")}`);
      }
    }
  },
);

type Direction = "Ingress" | "Egress";

/**
 * A cluster's NetworkPolicies per namespace, read once: the directions covered for
 * every pod (policies whose podSelector is empty, a default-deny), and the others with
 * their selector compiled. Each workload is then checked against its namespace's list,
 * usually answered by `all` alone, instead of compiling every policy for every workload.
 */
export function policiesByNamespace(
  netpols: ManifestObject[],
): Map<
  string,
  { all: Set<Direction>; some: Array<{ types: Set<Direction>; matches: (l: StringMap) => boolean }> }
> {
  const out = new Map<
    string,
    { all: Set<Direction>; some: Array<{ types: Set<Direction>; matches: (l: StringMap) => boolean }> }
  >();
  for (const p of netpols) {
    const ns = effectiveNamespace(p);
    const entry = out.get(ns) ?? { all: new Set<Direction>(), some: [] };
    out.set(ns, entry);
    const spec = netpolSpec(p.manifest);
    const types = policyTypesOf(spec);
    if (spec.podSelector === undefined || isEmptySelector(spec.podSelector)) {
      for (const t of types) entry.all.add(t);
    } else {
      entry.some.push({ types, matches: selectorPredicate(spec.podSelector, true) });
    }
  }
  return out;
}
