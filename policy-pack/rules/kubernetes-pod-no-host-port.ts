import { pssRule } from "../lib/pss";

/** A hostPort opens the port on the node's address, outside Service and NetworkPolicy control. */
export const noHostPort = pssRule(
  {
    name: "kubernetes-pod-no-host-port",
    control: "hostPorts",
    description:
      "Containers (init and ephemeral too) must not bind a hostPort (it opens the port on every node address the pod lands on).",
    severity: "high",
    remediation:
      "Remove ports[].hostPort and expose the port through a Service (ClusterIP, or the ingress controller)",
  },
  ({ pod, report }) => {
    for (const c of pod.containers) {
      for (const p of Array.isArray(c.container.ports) ? c.container.ports : []) {
        if (p.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0) {
          report(`${c.label} binds hostPort ${p.hostPort}`);
        }
      }
    }
  },
);
