import { pssRule, present } from "../lib/pss";

/** Namespaced sysctls isolated from other pods on the node: the standard's safe set at v1.34. */
export const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
]);

/** Other sysctls change the node's kernel for every pod on it, or turn off protections. */
export const safeSysctls = pssRule(
  {
    name: "kubernetes-pod-safe-sysctls",
    control: "sysctls",
    description: `The pod may set only the safe sysctls (securityContext.sysctls): ${[...SAFE_SYSCTLS].join(", ")}.`,
    severity: "high",
    remediation:
      "Remove the sysctl from securityContext.sysctls; node-wide kernel tuning belongs in the node's configuration",
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    const sysctls = present(podSc) && Array.isArray(podSc.sysctls) ? podSc.sysctls : [];
    const bad = sysctls
      .map((s) => (present(s) ? String(s.name ?? "") : ""))
      .filter((n) => !SAFE_SYSCTLS.has(n));
    if (bad.length > 0) report(`the pod sets sysctls outside the safe set: ${bad.join(", ")}`);
  },
);
