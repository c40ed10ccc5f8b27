import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

export const dropAllCapabilities = resourceRule(
  {
    name: "kubernetes-pod-drop-all-capabilities",
    description:
      "Containers (init containers too) must drop all Linux capabilities (capabilities.drop: [ALL]) and add back only what they need.",
    severity: "high",
    remediation:
      'Set securityContext.capabilities.drop: ["ALL"] and add back single capabilities (e.g. NET_BIND_SERVICE) if needed',
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      const drop = c.container.securityContext?.capabilities?.drop ?? [];
      if (!drop.some((d) => String(d).toUpperCase() === "ALL")) {
        report(`${c.label} does not drop ALL capabilities`);
      }
    }
  },
);
