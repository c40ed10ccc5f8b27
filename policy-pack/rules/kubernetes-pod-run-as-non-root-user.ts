import { pssRule, present } from "../lib/pss";

/** UID 0 is root on the node too unless the pod runs in a user namespace. */
export const runAsNonRootUser = pssRule(
  {
    name: "kubernetes-pod-run-as-non-root-user",
    control: "runAsUser",
    description:
      "Neither the pod nor any container may set runAsUser: 0 (root), even where the other level sets a non-zero user.",
    severity: "high",
    remediation: "Set securityContext.runAsUser to a non-zero UID (or leave it to the image's non-root USER)",
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    if (present(podSc) && podSc.runAsUser === 0) report("the pod runs as user 0 (root)");
    for (const c of pod.containers) {
      if (c.container.securityContext?.runAsUser === 0) report(`${c.label} runs as user 0 (root)`);
    }
  },
);
