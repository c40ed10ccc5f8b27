import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

export const readOnlyRootFilesystem = resourceRule(
  {
    name: "kubernetes-pod-read-only-root-filesystem",
    description:
      "Containers (init containers too) must mount their root filesystem read-only, so a compromise cannot rewrite binaries.",
    severity: "medium",
    remediation:
      "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process needs to write (e.g. /tmp)",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      if (c.container.securityContext?.readOnlyRootFilesystem !== true) {
        report(`${c.label} does not set readOnlyRootFilesystem: true`);
      }
    }
  },
);
