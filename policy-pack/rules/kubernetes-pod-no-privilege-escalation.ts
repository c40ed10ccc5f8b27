import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

/** allowPrivilegeEscalation defaults to true; setuid binaries can then gain privileges. */
export const noPrivilegeEscalation = resourceRule(
  {
    name: "kubernetes-pod-no-privilege-escalation",
    description:
      "Containers (init containers too) must set securityContext.allowPrivilegeEscalation: false (it defaults to true).",
    severity: "high",
    remediation: "Set securityContext.allowPrivilegeEscalation: false on the container",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      const v = c.container.securityContext?.allowPrivilegeEscalation;
      if (v !== false) {
        report(
          `${c.label} ${v === true ? "sets allowPrivilegeEscalation: true" : "does not set allowPrivilegeEscalation: false"}`,
        );
      }
    }
  },
);
