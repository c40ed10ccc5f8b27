import { stackRule } from "../lib/rule";
import { ofKind } from "../lib/stack";

export const networkPolicyEnforcedByCni = stackRule(
  {
    name: "kubernetes-networkpolicy-enforced-by-cni",
    description:
      "NetworkPolicies only exist where the cluster's CNI enforces them (Calico, Cilium); Flannel alone accepts them and enforces nothing, which is worse than having none.",
    severity: "critical",
    remediation:
      'Install a policy-enforcing CNI (Calico or Cilium; Flannel only for dev) or publish networkPolicyEnforced: "true" only where it holds',
    enforcementLevel: "mandatory",
  },
  ({ view, report }) => {
    for (const c of view.clusters) {
      const netpols = ofKind(c, "NetworkPolicy");
      if (netpols.length === 0 || c.platform.networkPolicyEnforced !== false) continue;
      const cni = c.platform.cnis.join("+") || "the CNI";
      report(
        c.platform.profile ?? netpols[0],
        `cluster "${c.platform.cluster}" declares ${netpols.length} NetworkPolicies but ${cni} does not enforce them (${c.platform.source === "profile" ? "platform profile" : "detected from the stack"})`,
      );
    }
  },
);
