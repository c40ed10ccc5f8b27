import { EXEMPT_NAMESPACES_SCHEMA } from "../lib/namespaces";
import { netpolSpec, policySelects, policyTypesOf } from "../lib/netpol";
import { isWorkload, podTemplateOf } from "../lib/pods";
import { stackRule } from "../lib/rule";
import { effectiveNamespace, ofKind } from "../lib/stack";

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
      const netpols = ofKind(c, "NetworkPolicy");
      for (const w of c.manifests.filter((o) => isWorkload(o.manifest))) {
        const ns = effectiveNamespace(w);
        if (config.exemptNamespaces.includes(ns)) continue;
        const labels = podTemplateOf(w.manifest)?.labels ?? {};
        const selecting = netpols
          .filter((p) => effectiveNamespace(p) === ns && policySelects(netpolSpec(p.manifest), labels))
          .map((p) => policyTypesOf(netpolSpec(p.manifest)));
        const missing = (["Ingress", "Egress"] as const).filter((d) => !selecting.some((t) => t.has(d)));
        if (missing.length > 0) report(w, `no NetworkPolicy selects its pods for ${missing.join(" or ")}`);
      }
    }
  },
);
