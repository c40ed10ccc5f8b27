import type { Handler } from "../lib/resource-manifest";
import { pssRule, present } from "../lib/pss";

/**
 * A probe or lifecycle hook with `host` makes the kubelet connect wherever the pod
 * author says, from the node: a way to reach node-local or otherwise unreachable
 * services (KEP-4940, baseline from v1.34).
 */
function hostsOf(h: Handler | null | undefined): string[] {
  if (!present(h)) return [];
  return [h.httpGet, h.tcpSocket]
    .map((a) => (present(a) && typeof a.host === "string" ? a.host : ""))
    .filter((host) => host !== "");
}

export const noProbeHost = pssRule(
  {
    name: "kubernetes-pod-no-probe-host",
    control: "hostProbesAndHostLifecycle",
    description:
      "Probes (liveness, readiness, startup) and lifecycle hooks (postStart, preStop) must not set httpGet.host or tcpSocket.host: the kubelet would connect to that address from the node.",
    severity: "medium",
    remediation:
      "Remove host from the probe or hook: the kubelet then checks the pod's own IP (use httpHeaders for a Host header)",
  },
  ({ pod, report }) => {
    for (const c of pod.containers) {
      const k = c.container;
      const found: string[] = [];
      for (const [where, h] of [
        ["livenessProbe", k.livenessProbe],
        ["readinessProbe", k.readinessProbe],
        ["startupProbe", k.startupProbe],
        ["lifecycle.postStart", present(k.lifecycle) ? k.lifecycle.postStart : undefined],
        ["lifecycle.preStop", present(k.lifecycle) ? k.lifecycle.preStop : undefined],
      ] as const) {
        for (const host of hostsOf(h)) found.push(`${where} host "${host}"`);
      }
      if (found.length > 0) report(`${c.label} sets ${found.join(", ")}`);
    }
  },
);
