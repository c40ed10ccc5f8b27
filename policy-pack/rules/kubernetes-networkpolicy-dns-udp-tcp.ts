import type { NetworkPolicyPort } from "../lib/resource-manifest";
import { netpolSpec } from "../lib/netpol";
import { resourceRule } from "../lib/rule";

/** CoreDNS names its ports `dns` (UDP) and `dns-tcp` (TCP). */
function isDnsPort(p: NetworkPolicyPort): boolean {
  return p.port === 53 || p.port === "53" || p.port === "dns" || p.port === "dns-tcp";
}

function covers53(p: NetworkPolicyPort, proto: "UDP" | "TCP"): boolean {
  if ((p.protocol ?? "TCP").toUpperCase() !== proto) return false;
  if (p.port === undefined) return true;
  if (isDnsPort(p)) return true;
  return typeof p.port === "number" && p.endPort !== undefined && p.port <= 53 && 53 <= p.endPort;
}

export const networkPolicyDnsUdpTcp = resourceRule(
  {
    name: "kubernetes-networkpolicy-dns-udp-tcp",
    description:
      "A NetworkPolicy that allows DNS (port 53) must allow it over both UDP and TCP: large answers and DNSSEC fall back to TCP.",
    severity: "low",
    remediation: "Allow port 53 with protocol UDP and port 53 with protocol TCP to the DNS pods",
    enforcementLevel: "advisory",
    kinds: ["NetworkPolicy"],
  },
  ({ manifest, report }) => {
    const rules = netpolSpec(manifest).egress ?? [];
    const ports = rules.flatMap((r) => r.ports ?? []);
    if (!ports.some(isDnsPort)) return;
    const any = (proto: "UDP" | "TCP") =>
      rules.some((r) => !r.ports || r.ports.length === 0 || r.ports.some((p) => covers53(p, proto)));
    const missing = (["UDP", "TCP"] as const).filter((p) => !any(p));
    if (missing.length > 0) report(`DNS egress (port 53) is allowed without ${missing.join(" and ")}`);
  },
);
