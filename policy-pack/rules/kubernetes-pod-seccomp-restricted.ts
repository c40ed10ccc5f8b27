import { pssRule, present } from "../lib/pss";
import { badSeccomp } from "./kubernetes-pod-seccomp-baseline";

/** Without a profile the runtime may run the container Unconfined; restricted pods must ask for one. */
export const seccompRestricted = pssRule(
  {
    name: "kubernetes-pod-seccomp-restricted",
    control: "seccompProfile_restricted",
    description:
      "Every container must run with a seccomp profile of type RuntimeDefault or Localhost, set on the container or inherited from the pod; Unconfined is refused at either level. Windows pods are exempt.",
    severity: "high",
    remediation:
      "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (containers inherit it), or Localhost with a localhostProfile",
  },
  ({ pod, report }) => {
    if (pod.windows) return;
    const podSc = pod.spec.securityContext;
    const podProfile = present(podSc) ? podSc.seccompProfile : undefined;
    const podBad = badSeccomp(podProfile);
    if (podBad !== undefined) report(`the pod sets seccompProfile.type "${podBad}"`);
    const podSet = present(podProfile) && podBad === undefined;
    for (const c of pod.containers) {
      const p = c.container.securityContext?.seccompProfile;
      if (present(p)) {
        const bad = badSeccomp(p);
        if (bad !== undefined) report(`${c.label} sets seccompProfile.type "${bad}"`);
      } else if (!podSet) {
        report(`${c.label} has no seccompProfile RuntimeDefault or Localhost (nor does the pod)`);
      }
    }
  },
);
