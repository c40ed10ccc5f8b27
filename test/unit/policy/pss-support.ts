/**
 * Helpers for the Pod Security Standards tests: a pod in any kind PodSecurity reads,
 * the pack's PSS rules with the reference check each implements, and the pack's
 * verdict per profile (the check ids its rules refused), comparable with
 * test/tools/pod-security-checker's output.
 */
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { POD_SPEC_KINDS } from "../../../policy-pack/lib/pods";
import { PSS_CONTROLS, type PssCheckId, type PssLevel } from "../../../policy-pack/lib/pss";
import type { PackPolicy } from "../../../policy-pack/lib/rule";
import { runPack, type PackConfig } from "../../../policy-pack/lib/run";
import { POLICIES } from "../../../policy-pack/policies";
import { toResources, wrapProps } from "./harness";

export type PodKind = (typeof POD_SPEC_KINDS)[number];

export interface Pod {
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const API_VERSION: Record<PodKind, string> = {
  Pod: "v1",
  PodTemplate: "v1",
  ReplicationController: "v1",
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
};

/** The pod as an object of `kind`, in namespace `namespace`, named `name`. */
export function inKind(kind: PodKind, pod: Pod, name = "app", namespace = "shop"): K8sManifest {
  const labels = { app: name, ...(pod.metadata?.labels ?? {}) };
  const template = { metadata: { ...(pod.metadata ?? {}), labels }, spec: pod.spec };
  const metadata = { name, namespace };
  const apiVersion = API_VERSION[kind];
  const selector = { matchLabels: { app: name } };
  switch (kind) {
    case "Pod":
      return { apiVersion, kind, metadata: { ...metadata, ...template.metadata }, spec: pod.spec };
    case "PodTemplate":
      return { apiVersion, kind, metadata, template };
    case "ReplicationController":
      return { apiVersion, kind, metadata, spec: { selector: { app: name }, template } };
    case "Job":
      return { apiVersion, kind, metadata, spec: { template } };
    case "CronJob":
      return {
        apiVersion,
        kind,
        metadata,
        spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template } } },
      };
    case "StatefulSet":
      return { apiVersion, kind, metadata, spec: { selector, serviceName: name, template } };
    default:
      return { apiVersion, kind, metadata, spec: { selector, template } };
  }
}

/** The pack's PSS rules, each with the reference check it implements (from its tags). */
export function pssPolicies(): Array<{ policy: PackPolicy; check: PssCheckId }> {
  return POLICIES.flatMap((policy) => {
    const tag = policy.tags.find((t) => t.startsWith("pss-check:"));
    return tag ? [{ policy, check: tag.slice("pss-check:".length) as PssCheckId }] : [];
  });
}

/** The checks a profile evaluates: its own, plus baseline's for restricted minus those replaced. */
export function profileChecks(level: PssLevel): PssCheckId[] {
  const all = Object.keys(PSS_CONTROLS) as PssCheckId[];
  if (level === "baseline") return all.filter((id) => PSS_CONTROLS[id].level === "baseline");
  const replaced = new Set<string>(
    all.map((id) => (PSS_CONTROLS[id] as { replaces?: string }).replaces ?? ""),
  );
  return all.filter((id) => !replaced.has(id));
}

export interface PackVerdict {
  /** Whether no rule of the profile refused the object. */
  allowed: boolean;
  /** The profile's checks whose rules refused it, sorted (as the reference reports them). */
  failed: string[];
  /** Every check whose rule refused it in this profile, the replaced baseline ones included. */
  refused: string[];
}

/**
 * The pack's verdict on each object per profile: every PSS rule of the profile run
 * mandatory (the replaced baseline rules too, for `allowed`: prod runs them all).
 */
export function packVerdicts(objects: K8sManifest[]): Array<Record<PssLevel, PackVerdict>> {
  const rules = pssPolicies();
  const config: PackConfig = Object.fromEntries(rules.map((r) => [r.policy.name, "mandatory"]));
  const resources = toResources(objects);
  const violations = runPack(resources, config, { policies: rules.map((r) => r.policy), wrapProps });
  const checkOf = new Map(rules.map((r) => [r.policy.name, r.check]));
  return objects.map((o) => {
    const mine = violations.filter(
      (v) =>
        v.kind === o.kind && v.name === o.metadata.name && v.namespace === (o.metadata.namespace ?? null),
    );
    const fired = new Set(mine.map((v) => checkOf.get(v.policy)!));
    const verdict = (level: PssLevel): PackVerdict => {
      const own =
        level === "baseline" ? profileChecks("baseline") : (Object.keys(PSS_CONTROLS) as PssCheckId[]);
      const refused = own.filter((id) => fired.has(id));
      return {
        allowed: refused.length === 0,
        refused: refused.sort(),
        failed: profileChecks(level)
          .filter((id) => fired.has(id))
          .sort(),
      };
    };
    return { baseline: verdict("baseline"), restricted: verdict("restricted") };
  });
}
