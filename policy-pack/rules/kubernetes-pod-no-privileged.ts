import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

/** Privileged containers have every capability and the host's devices: one escape owns the node. */
export const noPrivileged = resourceRule(
  {
    name: "kubernetes-pod-no-privileged",
    description: "Containers (init containers too) must not run privileged.",
    severity: "critical",
    remediation:
      "Remove securityContext.privileged (or set it to false) and grant only the capabilities the process needs",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      if (c.container.securityContext?.privileged === true) report(`${c.label} runs privileged`);
    }
  },
);
