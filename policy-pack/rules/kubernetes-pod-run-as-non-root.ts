import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

export const runAsNonRoot = resourceRule(
  {
    name: "kubernetes-pod-run-as-non-root",
    description:
      "Every container must run as non-root: runAsNonRoot: true on the container or the pod, and no runAsUser: 0.",
    severity: "high",
    remediation:
      "Set securityContext.runAsNonRoot: true (pod or container) and a non-zero runAsUser; build the image with a non-root USER",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    if (!t) return;
    const pod = t.spec.securityContext ?? {};
    for (const c of containersOf(t.spec)) {
      const sc = c.container.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      const user = sc.runAsUser ?? pod.runAsUser;
      if (user === 0) report(`${c.label} runs as user 0 (root)`);
      else if (nonRoot !== true) report(`${c.label} does not set runAsNonRoot: true (nor does the pod)`);
    }
  },
);
