import { isAnyAddress, netpolSpec } from "../lib/netpol";
import { matchesAny, resourceRule } from "../lib/rule";

export interface EgressAnywhereConfig {
  allowed: string[];
}

export const networkPolicyNoEgressAnywhere = resourceRule<EgressAnywhereConfig>(
  {
    name: "kubernetes-networkpolicy-no-egress-anywhere",
    description:
      "Egress rules must not allow ipBlock 0.0.0.0/0 or ::/0 (the whole internet, and usually the cluster too), except allow-listed policies.",
    severity: "high",
    remediation:
      "Allow the destination's CIDRs (e.g. the payment provider's ranges) or route through an egress gateway; or allow-list the policy in the stack's policy config",
    enforcementLevel: "mandatory",
    kinds: ["NetworkPolicy"],
    config: {
      allowed: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "namespace/name patterns of NetworkPolicies allowed to open egress to any address.",
      },
    },
  },
  ({ manifest, namespace, config, report }) => {
    if (matchesAny(config.allowed, namespace, manifest.metadata.name ?? "")) return;
    (netpolSpec(manifest).egress ?? []).forEach((r, i) => {
      (r.to ?? []).forEach((p, j) => {
        if (p.ipBlock && isAnyAddress(p.ipBlock.cidr)) {
          const except = p.ipBlock.except?.length ? ` (except ${p.ipBlock.except.join(", ")})` : "";
          report(`egress[${i}].to[${j}] allows ipBlock ${p.ipBlock.cidr}${except}`);
        }
      });
    });
  },
);
