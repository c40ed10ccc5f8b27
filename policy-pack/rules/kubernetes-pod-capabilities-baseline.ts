import { pssRule, present } from "../lib/pss";

/** The container runtime's default set: anything beyond it (SYS_ADMIN, NET_ADMIN, NET_RAW, ...) widens the kernel surface. */
export const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

export const capabilitiesBaseline = pssRule(
  {
    name: "kubernetes-pod-capabilities-baseline",
    control: "capabilities_baseline",
    description:
      "Containers may add back only capabilities of the runtime's default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT), spelled exactly so; no NET_RAW, SYS_ADMIN or other.",
    severity: "high",
    remediation:
      "Remove the capability from securityContext.capabilities.add; if the process really needs it, run it as a reviewed exemption",
  },
  ({ pod, report }) => {
    for (const c of pod.containers) {
      const caps = c.container.securityContext?.capabilities;
      const add = present(caps) && Array.isArray(caps.add) ? caps.add : [];
      const extra = add.filter((a) => !BASELINE_CAPABILITIES.has(a));
      if (extra.length > 0) report(`${c.label} adds capabilities ${extra.join(", ")} beyond the default set`);
    }
  },
);
