import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

const NEEDED = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

export const resources = resourceRule(
  {
    name: "kubernetes-pod-resources",
    description:
      "Containers and init containers must declare CPU and memory requests and limits (scheduling, and no noisy neighbour can starve the node).",
    severity: "medium",
    remediation: "Set resources.requests and resources.limits for both cpu and memory on the container",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      if (c.role === "ephemeral") continue; // ephemeral containers cannot have resources
      const r = c.container.resources ?? {};
      const missing = NEEDED.filter((k) => {
        const [section, res] = k.split(".") as ["requests" | "limits", string];
        const v = r[section]?.[res];
        return v === undefined || v === null || String(v) === "";
      });
      if (missing.length > 0) report(`${c.label} has no resources.${missing.join(", resources.")}`);
    }
  },
);
