import { containersOf, podTemplateOf } from "../lib/pods";
import { resourceRule } from "../lib/rule";

/** Long-running kinds only: Jobs and CronJobs run to completion and are not load-balanced. */
const LONG_RUNNING = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"];

export const probes = resourceRule(
  {
    name: "kubernetes-pod-probes",
    description:
      "Containers of long-running workloads (and native sidecar init containers) must have liveness and readiness probes. Jobs and CronJobs are not checked.",
    severity: "medium",
    remediation:
      "Add a readinessProbe (gates traffic) and a livenessProbe (restarts a hung process) to the container",
    enforcementLevel: "mandatory",
    kinds: LONG_RUNNING,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      const sidecar = c.role === "init" && c.container.restartPolicy === "Always";
      if (c.role !== "container" && !sidecar) continue;
      const missing = (["livenessProbe", "readinessProbe"] as const).filter((p) => !c.container[p]);
      if (missing.length > 0) report(`${c.label} has no ${missing.join(" and no ")}`);
    }
  },
);
