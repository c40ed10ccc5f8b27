import type { SecurityProfile } from "../lib/resource-manifest";
import { pssRule, present } from "../lib/pss";

/** A seccomp profile that is set but not RuntimeDefault/Localhost (Unconfined, or an empty type). */
export function badSeccomp(p: SecurityProfile | null | undefined): string | undefined {
  if (!present(p)) return undefined;
  const t = typeof p.type === "string" ? p.type : "";
  return t === "RuntimeDefault" || t === "Localhost" ? undefined : t;
}

/** Unconfined seccomp opens every syscall to the container, including the ones container escapes use. */
export const seccompBaseline = pssRule(
  {
    name: "kubernetes-pod-seccomp-baseline",
    control: "seccompProfile_baseline",
    description:
      "Where the pod or a container sets securityContext.seccompProfile, its type must be RuntimeDefault or Localhost, never Unconfined.",
    severity: "high",
    remediation:
      "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost with a localhostProfile) on the pod, or remove the Unconfined profile",
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    const podBad = present(podSc) ? badSeccomp(podSc.seccompProfile) : undefined;
    if (podBad !== undefined) report(`the pod sets seccompProfile.type "${podBad}"`);
    for (const c of pod.containers) {
      const bad = badSeccomp(c.container.securityContext?.seccompProfile);
      if (bad !== undefined) report(`${c.label} sets seccompProfile.type "${bad}"`);
    }
  },
);
