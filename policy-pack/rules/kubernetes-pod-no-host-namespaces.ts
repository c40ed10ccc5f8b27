import { podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

/** hostNetwork bypasses NetworkPolicy and the mesh; hostPID/hostIPC expose other pods' processes and memory. */
export const noHostNamespaces = resourceRule(
  {
    name: "kubernetes-pod-no-host-namespaces",
    description:
      "Pods must not share the node's network, PID or IPC namespace (hostNetwork, hostPID, hostIPC); hostNetwork pods also escape NetworkPolicy and the mesh.",
    severity: "critical",
    remediation:
      "Remove hostNetwork/hostPID/hostIPC from the pod spec; expose the workload through a Service",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const spec = podTemplateOf(manifest)?.spec;
    for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (spec?.[f] === true) report(`the pod spec sets ${f}: true`);
    }
  },
);
