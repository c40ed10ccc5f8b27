import { pssRule } from "../lib/pss";

/** allowPrivilegeEscalation defaults to true; setuid binaries can then gain privileges. */
export const noPrivilegeEscalation = pssRule(
  {
    name: "kubernetes-pod-no-privilege-escalation",
    control: "allowPrivilegeEscalation",
    description:
      "Containers (init and ephemeral too) must set securityContext.allowPrivilegeEscalation: false (it defaults to true). Windows pods (spec.os.name: windows) are exempt.",
    severity: "high",
    remediation: "Set securityContext.allowPrivilegeEscalation: false on every container",
  },
  ({ pod, report }) => {
    if (pod.windows) return;
    for (const c of pod.containers) {
      const v = c.container.securityContext?.allowPrivilegeEscalation;
      if (v !== false) {
        report(
          `${c.label} ${v === true ? "sets allowPrivilegeEscalation: true" : "does not set allowPrivilegeEscalation: false"}`,
        );
      }
    }
  },
);
