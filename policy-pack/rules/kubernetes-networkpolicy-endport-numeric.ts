import { netpolSpec } from "../lib/netpol";
import { resourceRule } from "../lib/rule";

export const networkPolicyEndPortNumeric = resourceRule(
  {
    name: "kubernetes-networkpolicy-endport-numeric",
    description:
      "A ports[] entry with endPort must have a numeric port no greater than endPort (a named port or no port makes the API server reject or the CNI ignore the range).",
    severity: "medium",
    remediation: "Give the range a numeric start (port: 32000, endPort: 32768) or drop endPort",
    enforcementLevel: "mandatory",
    kinds: ["NetworkPolicy"],
  },
  ({ manifest, report }) => {
    const spec = netpolSpec(manifest);
    const dirs = [
      ["ingress", spec.ingress ?? []],
      ["egress", spec.egress ?? []],
    ] as const;
    for (const [dir, rules] of dirs) {
      rules.forEach((r, i) =>
        (r.ports ?? []).forEach((p, j) => {
          if (p.endPort === undefined) return;
          if (typeof p.port !== "number") {
            report(
              `${dir}[${i}].ports[${j}] has endPort ${p.endPort} but port ${JSON.stringify(p.port ?? null)}`,
            );
          } else if (p.endPort < p.port) {
            report(`${dir}[${i}].ports[${j}] has endPort ${p.endPort} below port ${p.port}`);
          }
        }),
      );
    }
  },
);
