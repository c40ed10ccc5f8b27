import { pssRule, present } from "../lib/pss";

/**
 * runAsNonRoot makes the kubelet refuse to start a container whose user is root. As in
 * the standard, an explicit false anywhere fails, even where another level says true.
 */
export const runAsNonRoot = pssRule(
  {
    name: "kubernetes-pod-run-as-non-root",
    control: "runAsNonRoot",
    description:
      "Every container must run with runAsNonRoot: true, set on the container or inherited from the pod; false is refused at either level.",
    severity: "high",
    remediation:
      "Set securityContext.runAsNonRoot: true on the pod (containers inherit it) and build the image with a non-root USER",
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    const podValue = present(podSc) ? podSc.runAsNonRoot : undefined;
    if (present(podValue) && podValue !== true) report("the pod sets runAsNonRoot: false");
    for (const c of pod.containers) {
      const v = c.container.securityContext?.runAsNonRoot;
      if (present(v)) {
        if (v !== true) report(`${c.label} sets runAsNonRoot: false`);
      } else if (podValue !== true) {
        report(`${c.label} does not set runAsNonRoot: true (nor does the pod)`);
      }
    }
  },
);
