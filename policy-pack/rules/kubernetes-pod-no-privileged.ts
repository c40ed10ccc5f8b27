import { pssRule } from "../lib/pss";

/** Privileged containers have every capability and the host's devices: one escape owns the node. */
export const noPrivileged = pssRule(
  {
    name: "kubernetes-pod-no-privileged",
    control: "privileged",
    description: "Containers (init and ephemeral containers too) must not run privileged.",
    severity: "critical",
    remediation:
      "Remove securityContext.privileged (or set it to false) and grant only the capabilities the process needs",
  },
  ({ pod, report }) => {
    for (const c of pod.containers) {
      if (c.container.securityContext?.privileged === true) report(`${c.label} runs privileged`);
    }
  },
);
