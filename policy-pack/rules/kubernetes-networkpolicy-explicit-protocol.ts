import { netpolSpec } from "../lib/netpol";
import { resourceRule } from "../lib/rule";

export interface ExplicitProtocolConfig {
  /** Accept ports without a protocol (Kubernetes defaults them to TCP). */
  allowImplicitTcp: boolean;
}

export const networkPolicyExplicitProtocol = resourceRule<ExplicitProtocolConfig>(
  {
    name: "kubernetes-networkpolicy-explicit-protocol",
    description:
      "NetworkPolicy ports must name their protocol; an omitted protocol means TCP, which silently blocks UDP (DNS, QUIC) the author may have meant. Config allowImplicitTcp accepts the TCP default knowingly.",
    severity: "low",
    remediation:
      "Add protocol: TCP (or UDP/SCTP) to each ports[] entry, or set allowImplicitTcp in the stack's policy config",
    enforcementLevel: "mandatory",
    kinds: ["NetworkPolicy"],
    config: {
      allowImplicitTcp: {
        type: "boolean",
        default: false,
        description: "Accept ports[] entries without a protocol (TCP by default).",
      },
    },
  },
  ({ manifest, config, report }) => {
    if (config.allowImplicitTcp) return;
    const spec = netpolSpec(manifest);
    const check = (
      dir: string,
      rules: Array<{ ports?: Array<{ protocol?: string; port?: number | string }> }>,
    ) =>
      rules.forEach((r, i) =>
        (r.ports ?? []).forEach((p, j) => {
          if (!p.protocol) report(`${dir}[${i}].ports[${j}] (port ${p.port ?? "any"}) names no protocol`);
        }),
      );
    check("ingress", spec.ingress ?? []);
    check("egress", spec.egress ?? []);
  },
);
