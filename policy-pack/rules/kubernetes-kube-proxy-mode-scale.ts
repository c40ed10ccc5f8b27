import { stackRule } from "../lib/rule";
import { ofKind } from "../lib/stack";

export interface KubeProxyScaleConfig {
  maxServicesWithIptables: number;
}

const SCALABLE = ["ipvs", "nftables", "kube-proxy-replacement"];

export const kubeProxyModeScale = stackRule<KubeProxyScaleConfig>(
  {
    name: "kubernetes-kube-proxy-mode-scale",
    description:
      "Clusters with more Services than maxServicesWithIptables (5000) use kube-proxy IPVS, nftables or a kube-proxy replacement (Cilium eBPF): iptables mode updates rules linearly and slows with every Service.",
    severity: "low",
    remediation:
      "Switch kube-proxy to ipvs or nftables mode (kubeProxyMode in stack config), or enable Cilium's kube-proxy replacement",
    enforcementLevel: "advisory",
    config: {
      maxServicesWithIptables: {
        type: "integer",
        minimum: 1,
        default: 5000,
        description: "Service count above which iptables mode is flagged.",
      },
    },
  },
  ({ view, config, report }) => {
    for (const c of view.clusters) {
      const counted = ofKind(c, "Service").length;
      const services = Math.max(counted, c.platform.expectedServiceCount ?? 0);
      if (services <= config.maxServicesWithIptables) continue;
      const mode = c.platform.kubeProxyMode;
      if (mode !== undefined && SCALABLE.includes(mode)) continue;
      report(
        c.platform.profile,
        `cluster "${c.platform.cluster}" runs ${services} Services (${counted} in this stack) with kube-proxy mode ${mode ?? "unknown (iptables assumed)"}; above ${config.maxServicesWithIptables} use ipvs, nftables or a kube-proxy replacement`,
      );
    }
  },
);
