import { pssRule, present } from "../lib/pss";

/** procMount Unmasked exposes /proc paths the runtime masks (kernel memory, sysrq, keys). */
export const procMount = pssRule(
  {
    name: "kubernetes-pod-proc-mount",
    control: "procMount",
    description:
      "Containers must keep the default /proc masks: securityContext.procMount unset or Default (user-namespace pods are not relaxed: the UserNamespacesPodSecurityStandards gate is off by default in v1.34).",
    severity: "high",
    remediation: "Remove securityContext.procMount or set it to Default",
  },
  ({ pod, report }) => {
    for (const c of pod.containers) {
      const pm = c.container.securityContext?.procMount;
      if (present(pm) && pm !== "Default") report(`${c.label} sets procMount "${String(pm)}"`);
    }
  },
);
