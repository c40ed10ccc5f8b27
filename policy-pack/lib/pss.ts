/**
 * The Kubernetes Pod Security Standards (baseline and restricted), as the API server's
 * PodSecurity admission defines them for the Kubernetes version the project pins
 * (k8s.io/pod-security-admission v0.34.4, policy version v1.34):
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/
 *
 * Each control is one rule of the pack (rules/kubernetes-pod-*.ts, built with
 * `pssRule`). The reference checker test/tools/pod-security-checker runs the
 * library's own evaluator; test/unit/policy/pss-differential.test.ts compares them.
 */
import type { ResourceValidationPolicy, Severity } from "@pulumi/policy";
import type { Container, PodSpec, StringMap } from "./resource-manifest";
import { containersOf, podTemplateOf, POD_SPEC_KINDS, type ContainerRef } from "./pods";
import { resourceRule } from "./rule";

/** The policy version the rules implement (`pod-security.kubernetes.io/enforce-version`). */
export const PSS_VERSION = "v1.34";

export type PssLevel = "baseline" | "restricted";

export interface PssControl {
  /** The control's name on the standard's page. */
  title: string;
  level: PssLevel;
  /** The reference implementation's check id (k8s.io/pod-security-admission/policy). */
  check: string;
  /** In the restricted profile, the baseline check this one replaces (it is stricter). */
  replaces?: string;
}

/** Every control of the two profiles at v1.34, keyed by the reference's check id. */
export const PSS_CONTROLS = {
  windowsHostProcess: { title: "HostProcess", level: "baseline", check: "windowsHostProcess" },
  hostNamespaces: { title: "Host Namespaces", level: "baseline", check: "hostNamespaces" },
  privileged: { title: "Privileged Containers", level: "baseline", check: "privileged" },
  capabilities_baseline: { title: "Capabilities", level: "baseline", check: "capabilities_baseline" },
  hostPathVolumes: { title: "HostPath Volumes", level: "baseline", check: "hostPathVolumes" },
  hostPorts: { title: "Host Ports", level: "baseline", check: "hostPorts" },
  hostProbesAndHostLifecycle: {
    title: "Host Probes / Lifecycle Hooks",
    level: "baseline",
    check: "hostProbesAndHostLifecycle",
  },
  appArmorProfile: { title: "AppArmor", level: "baseline", check: "appArmorProfile" },
  seLinuxOptions: { title: "SELinux", level: "baseline", check: "seLinuxOptions" },
  procMount: { title: "/proc Mount Type", level: "baseline", check: "procMount" },
  seccompProfile_baseline: { title: "Seccomp", level: "baseline", check: "seccompProfile_baseline" },
  sysctls: { title: "Sysctls", level: "baseline", check: "sysctls" },
  restrictedVolumes: {
    title: "Volume Types",
    level: "restricted",
    check: "restrictedVolumes",
    replaces: "hostPathVolumes",
  },
  allowPrivilegeEscalation: {
    title: "Privilege Escalation",
    level: "restricted",
    check: "allowPrivilegeEscalation",
  },
  runAsNonRoot: { title: "Running as Non-root", level: "restricted", check: "runAsNonRoot" },
  runAsUser: { title: "Running as Non-root user", level: "restricted", check: "runAsUser" },
  seccompProfile_restricted: {
    title: "Seccomp",
    level: "restricted",
    check: "seccompProfile_restricted",
    replaces: "seccompProfile_baseline",
  },
  capabilities_restricted: {
    title: "Capabilities",
    level: "restricted",
    check: "capabilities_restricted",
    replaces: "capabilities_baseline",
  },
} as const satisfies Record<string, PssControl>;

export type PssCheckId = keyof typeof PSS_CONTROLS;

/** The pod as the PodSecurity checks read it: metadata annotations, spec, every container. */
export interface PodView {
  spec: PodSpec;
  annotations: StringMap;
  /** containers, initContainers and ephemeralContainers, each with a label for messages. */
  containers: ContainerRef[];
  /** spec.os.name is windows: the Linux-only restricted controls do not apply. */
  windows: boolean;
}

export interface PssCheck {
  pod: PodView;
  report(problem: string): void;
}

export interface PssRuleMeta {
  /** Policy id, e.g. `kubernetes-pod-no-privileged`. */
  name: string;
  control: PssCheckId;
  description: string;
  severity: Severity;
  remediation: string;
}

/** `Pod Security Standards (restricted): Seccomp`, as messages and descriptions name a control. */
export function controlName(id: PssCheckId): string {
  const c: PssControl = PSS_CONTROLS[id];
  return `Pod Security Standards (${c.level}, ${PSS_VERSION}) control "${c.title}"`;
}

/**
 * A rule for one control: it checks every kind PodSecurity reads a pod from, names the
 * control in its description, remediation (so in every message) and tags, and takes only
 * narrow exemptions.
 */
export function pssRule(
  meta: PssRuleMeta,
  check: (c: PssCheck) => void,
): ResourceValidationPolicy & { tags: string[] } {
  const control: PssControl = PSS_CONTROLS[meta.control];
  const named = controlName(meta.control);
  return resourceRule(
    {
      name: meta.name,
      description: `${named}: ${meta.description}`,
      severity: meta.severity,
      // The control is named in the remediation, so every message names it too.
      remediation: `${named}: ${meta.remediation}`,
      // The stack configs set the levels: restricted advisory in dev, everything else mandatory.
      enforcementLevel: "mandatory",
      kinds: POD_SPEC_KINDS,
      exemptionsOnly: true,
      tags: ["pod-security-standards", `pss-${control.level}`, `pss-check:${control.check}`],
    },
    ({ manifest, report }) => {
      const t = podTemplateOf(manifest);
      if (!t) return;
      const pod: PodView = {
        spec: t.spec,
        annotations: t.annotations,
        containers: containersOf(t.spec),
        windows: t.spec.os?.name === "windows",
      };
      check({ pod, report });
    },
  );
}

/** `container "web"`, `init containers "a", "b"` for a list of container refs. */
export function labels(refs: ContainerRef[]): string {
  return refs.map((r) => r.label).join(", ");
}

/** The container's security context, or an empty one. */
export function scOf(c: Container): NonNullable<Container["securityContext"]> {
  return c.securityContext ?? {};
}

/** Present in the JSON sense: neither missing nor null (Go reads both as a nil pointer). */
export function present<T>(v: T | null | undefined): v is T {
  return v !== undefined && v !== null;
}
