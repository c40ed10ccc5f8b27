import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

/** A hostPort opens the port on the node's address, outside Service and NetworkPolicy control. */
export const noHostPort = resourceRule(
  {
    name: "kubernetes-pod-no-host-port",
    description:
      "Containers must not bind a hostPort (it opens the port on every node address the pod lands on).",
    severity: "high",
    remediation:
      "Remove ports[].hostPort and expose the port through a Service (ClusterIP, or the ingress controller)",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      for (const p of c.container.ports ?? []) {
        if (p.hostPort) report(`${c.label} binds hostPort ${p.hostPort}`);
      }
    }
  },
);
