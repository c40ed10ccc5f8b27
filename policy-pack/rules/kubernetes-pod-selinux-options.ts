import type { SELinuxOptions } from "../lib/resource-manifest";
import { pssRule, present } from "../lib/pss";

/** The container types a confined pod may run as (v1.31+ adds container_engine_t). */
const ALLOWED_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

function problems(o: SELinuxOptions | null | undefined): string[] {
  if (!present(o)) return [];
  const out: string[] = [];
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  if (!ALLOWED_TYPES.has(str(o.type))) out.push(`type "${str(o.type)}"`);
  if (str(o.user) !== "") out.push(`user "${str(o.user)}"`);
  if (str(o.role) !== "") out.push(`role "${str(o.role)}"`);
  return out;
}

/** A custom SELinux user, role or type can lift the container's confinement (spc_t runs unconfined). */
export const seLinuxOptions = pssRule(
  {
    name: "kubernetes-pod-selinux-options",
    control: "seLinuxOptions",
    description:
      "seLinuxOptions (pod and every container) must not set user or role, and type only to container_t, container_init_t, container_kvm_t or container_engine_t; level is free.",
    severity: "high",
    remediation:
      "Remove seLinuxOptions.user and .role, and set .type to container_t (or leave it unset so the runtime picks it)",
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    const podBad = present(podSc) ? problems(podSc.seLinuxOptions) : [];
    if (podBad.length > 0) report(`the pod sets seLinuxOptions ${podBad.join(", ")}`);
    for (const c of pod.containers) {
      const bad = problems(c.container.securityContext?.seLinuxOptions);
      if (bad.length > 0) report(`${c.label} sets seLinuxOptions ${bad.join(", ")}`);
    }
  },
);
