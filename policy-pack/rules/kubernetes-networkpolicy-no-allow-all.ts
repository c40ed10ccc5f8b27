import { allowAllPeerReason, netpolSpec } from "../lib/netpol";
import { matchesAny, resourceRule } from "../lib/rule";

export interface AllowAllConfig {
  /** `namespace/name` patterns of NetworkPolicies allowed to admit everything (documented exceptions). */
  allowed: string[];
}

export const networkPolicyNoAllowAll = resourceRule<AllowAllConfig>(
  {
    name: "kubernetes-networkpolicy-no-allow-all",
    description:
      "NetworkPolicy rules must name their peers: no rule without from/to, no empty peer {}, no namespaceSelector: {} without a podSelector, no ingress ipBlock 0.0.0.0/0 (each admits everything), except allow-listed policies.",
    severity: "high",
    remediation:
      "Name the peers with podSelector/namespaceSelector labels (and ports), or add the policy to `allowed` in the stack's policy config with a reason",
    enforcementLevel: "mandatory",
    kinds: ["NetworkPolicy"],
    config: {
      allowed: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "namespace/name patterns of NetworkPolicies documented as allowed to admit everything (e.g. the ingress controller's).",
      },
    },
  },
  ({ manifest, namespace, config, report }) => {
    if (matchesAny(config.allowed, namespace, manifest.metadata.name ?? "")) return;
    const spec = netpolSpec(manifest);
    (spec.ingress ?? []).forEach((r, i) => {
      if (!r.from || r.from.length === 0) report(`ingress[${i}] has no \`from\`: it admits every source`);
      (r.from ?? []).forEach((p, j) => {
        const why = allowAllPeerReason(p, true);
        if (why) report(`ingress[${i}].from[${j}]: ${why}`);
      });
    });
    (spec.egress ?? []).forEach((r, i) => {
      if (!r.to || r.to.length === 0) report(`egress[${i}] has no \`to\`: it admits every destination`);
      (r.to ?? []).forEach((p, j) => {
        const why = allowAllPeerReason(p, false);
        if (why) report(`egress[${i}].to[${j}]: ${why}`);
      });
    });
  },
);
