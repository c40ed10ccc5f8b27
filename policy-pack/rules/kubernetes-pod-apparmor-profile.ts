import type { SecurityProfile } from "../lib/resource-manifest";
import { pssRule, present } from "../lib/pss";

const ALLOWED_TYPES = new Set(["RuntimeDefault", "Localhost"]);
/** The deprecated per-container annotation the kubelet still honours. */
const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function badType(p: SecurityProfile | null | undefined): string | undefined {
  if (!present(p)) return undefined;
  const t = typeof p.type === "string" ? p.type : "";
  return ALLOWED_TYPES.has(t) ? undefined : t;
}

/** The runtime's default AppArmor profile confines the container; Unconfined turns it off. */
export const appArmorProfile = pssRule(
  {
    name: "kubernetes-pod-apparmor-profile",
    control: "appArmorProfile",
    description:
      "The AppArmor profile may only be RuntimeDefault or Localhost (appArmorProfile.type on the pod and on every container; the deprecated container.apparmor.security.beta.kubernetes.io/* annotations only runtime/default or localhost/*), never Unconfined.",
    severity: "high",
    remediation:
      'Set securityContext.appArmorProfile.type to RuntimeDefault (or Localhost with a localhostProfile), or leave it unset; drop annotations set to "unconfined"',
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    const podBad = present(podSc) ? badType(podSc.appArmorProfile) : undefined;
    if (podBad !== undefined) report(`the pod sets appArmorProfile.type "${podBad}"`);
    for (const c of pod.containers) {
      const bad = badType(c.container.securityContext?.appArmorProfile);
      if (bad !== undefined) report(`${c.label} sets appArmorProfile.type "${bad}"`);
    }
    for (const [k, v] of Object.entries(pod.annotations)) {
      if (!k.startsWith(ANNOTATION_PREFIX)) continue;
      const value = typeof v === "string" ? v : String(v);
      if (value === "" || value === "runtime/default" || value.startsWith("localhost/")) continue;
      report(`the pod annotation ${k} is "${value}"`);
    }
  },
);
