import { pssRule } from "../lib/pss";

/** hostNetwork bypasses NetworkPolicy and the mesh; hostPID/hostIPC expose other pods' processes and memory. */
export const noHostNamespaces = pssRule(
  {
    name: "kubernetes-pod-no-host-namespaces",
    control: "hostNamespaces",
    description:
      "Pods must not share the node's network, PID or IPC namespace (hostNetwork, hostPID, hostIPC); hostNetwork pods also escape NetworkPolicy and the mesh.",
    severity: "critical",
    remediation:
      "Remove hostNetwork/hostPID/hostIPC from the pod spec (or set them to false); expose the workload through a Service",
  },
  ({ pod, report }) => {
    for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (pod.spec[f] === true) report(`the pod spec sets ${f}: true`);
    }
  },
);
