import { EXEMPT_NAMESPACES_SCHEMA } from "../lib/namespaces";
import { isDefaultDeny, netpolSpec } from "../lib/netpol";
import { isWorkload } from "../lib/pods";
import { stackRule } from "../lib/rule";
import { effectiveNamespace, type ManifestObject, ofKind } from "../lib/stack";

export interface DefaultDenyConfig {
  exemptNamespaces: string[];
}

export const namespaceDefaultDeny = stackRule<DefaultDenyConfig>(
  {
    name: "kubernetes-namespace-default-deny",
    description:
      "Every namespace holding workloads has a default-deny NetworkPolicy: podSelector {} with policyTypes Ingress and Egress and no rules (two policies, one per direction, count too). Checked per cluster.",
    severity: "high",
    remediation:
      "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress, Egress] and no rules to the namespace, then allow the intended flows explicitly",
    enforcementLevel: "mandatory",
    config: { exemptNamespaces: EXEMPT_NAMESPACES_SCHEMA },
  },
  ({ view, config, report }) => {
    for (const c of view.clusters) {
      const byNs = new Map<string, ManifestObject[]>();
      for (const w of c.manifests.filter((o) => isWorkload(o.manifest))) {
        const ns = effectiveNamespace(w);
        if (config.exemptNamespaces.includes(ns)) continue;
        byNs.set(ns, [...(byNs.get(ns) ?? []), w]);
      }
      const netpols = ofKind(c, "NetworkPolicy");
      for (const [ns, workloads] of byNs) {
        const deny = netpols
          .filter((p) => effectiveNamespace(p) === ns)
          .map((p) => isDefaultDeny(netpolSpec(p.manifest)));
        const ingress = deny.some((d) => d.ingress);
        const egress = deny.some((d) => d.egress);
        if (ingress && egress) continue;
        const missing = [!ingress && "Ingress", !egress && "Egress"].filter(Boolean).join(" and ");
        const nsObject = ofKind(c, "Namespace").find((n) => n.manifest.metadata.name === ns);
        report(
          nsObject ?? workloads[0],
          `namespace "${ns}" holds ${workloads.length} workload(s) but has no default-deny NetworkPolicy for ${missing}`,
        );
      }
    }
  },
);
