/**
 * Runs the pack's own policies (their validateResource / validateStack functions)
 * outside the Pulumi engine, the way the policy runtime would: per-policy config and
 * enforcement level from a `--policy-pack-config` file, `getConfig`,
 * `notApplicable`, and stack policies after resource policies. Used by the tests,
 * by the plain-manifest CLI (scripts/policy-check.ts), and by the program's test
 * that checks each stack's emitted resources.
 */
import * as fs from "fs";
import * as path from "path";
import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { POLICIES } from "../policies";
import { CLUSTER_SCOPED_KINDS, toManifest } from "./resource-manifest";
import type { PackPolicy } from "./rule";

export const STACKS = ["dev", "prod", "multi-cluster"] as const;
export type StackName = (typeof STACKS)[number];

/** A stack resource as the program (or a mock, or a YAML file) produces it. */
export interface PackResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** Input props; for Kubernetes objects, the manifest (apiVersion/kind/metadata/spec...). */
  props: Record<string, unknown>;
  urn?: string;
  /** URN of the Kubernetes provider (one per cluster in a multi-cluster stack). */
  providerUrn?: string;
  /** Props of that provider (e.g. `namespace`, its default namespace). */
  providerProps?: Record<string, unknown>;
  /** URN of the parent resource (a Helm Chart component, say). */
  parentUrn?: string;
}

export interface Violation {
  policy: string;
  level: "advisory" | "mandatory";
  severity?: string;
  /** Kind of the object at fault; `Stack` for stack-wide findings. */
  kind: string;
  namespace: string | null;
  name: string;
  message: string;
  urn?: string;
}

/** A policy config file as `pulumi --policy-pack-config` reads it. */
export type PolicyConfigEntry =
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);
export type PackConfig = Record<string, PolicyConfigEntry>;

export const CONFIG_DIR = path.join(__dirname, "..", "config");

export function loadStackConfig(stack: StackName): PackConfig {
  const file = path.join(CONFIG_DIR, `${stack}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
}

export interface RunOptions {
  /** Defaults to every policy of the pack. */
  policies?: PackPolicy[];
  /**
   * Wraps props before the policies see them; tests pass @pulumi/policy's
   * unknownCheckingProxy to get exactly what the runtime hands over.
   */
  wrapProps?: (props: Record<string, unknown>) => Record<string, unknown>;
}

class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
  }
}

function isUnknownValueError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

function entryOf(
  config: PackConfig,
  name: string,
): { level?: EnforcementLevel; props: Record<string, unknown> } {
  const e = config[name];
  if (e === undefined) return { props: {} };
  if (typeof e === "string") return { level: e, props: {} };
  const { enforcementLevel, ...props } = e;
  return { level: enforcementLevel, props };
}

const OPTS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function toPolicyResources(
  resources: PackResource[],
  wrap: (p: Record<string, unknown>) => Record<string, unknown>,
) {
  const seen = new Map<string, number>();
  const out: PolicyResource[] = resources.map((r) => {
    let urn = r.urn ?? `urn:pulumi:netplat::k8s-netplat::${r.type}::${r.name}`;
    const n = seen.get(urn) ?? 0;
    seen.set(urn, n + 1);
    if (n > 0 && r.urn === undefined) urn = `${urn}#${n}`;
    const res: PolicyResource = {
      type: r.type,
      name: r.name,
      urn,
      props: wrap(r.props),
      opts: { ...OPTS, parent: r.parentUrn },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    if (r.providerUrn) {
      res.provider = {
        type: "pulumi:providers:kubernetes",
        urn: r.providerUrn,
        name: r.providerUrn.split("::").pop() ?? r.providerUrn,
        props: wrap(r.providerProps ?? {}),
      };
    }
    return res;
  });
  const byUrn = new Map(out.map((r) => [r.urn, r]));
  resources.forEach((r, i) => {
    if (r.parentUrn && byUrn.has(r.parentUrn)) out[i].parent = byUrn.get(r.parentUrn);
  });
  return out;
}

function whereOf(r: PolicyResource | undefined): Pick<Violation, "kind" | "namespace" | "name"> {
  if (!r) return { kind: "Stack", namespace: null, name: "" };
  const conv = toManifest(r.type, r.props, r.name);
  if (!conv) return { kind: r.type, namespace: null, name: r.name };
  const m = conv.manifest;
  const ns = CLUSTER_SCOPED_KINDS.has(m.kind) ? null : (m.metadata.namespace ?? null);
  return { kind: m.kind, namespace: ns, name: m.metadata.name ?? r.name };
}

/**
 * Runs every policy on `resources` with the policy config of `stack` (or the given
 * config object) and returns the violations, resource policies first.
 */
export function runPack(
  resources: PackResource[],
  stack: StackName | PackConfig,
  options: RunOptions = {},
): Violation[] {
  const config = typeof stack === "string" ? loadStackConfig(stack) : stack;
  const policies = options.policies ?? POLICIES;
  const wrap = options.wrapProps ?? ((p) => p);
  const prs = toPolicyResources(resources, wrap);
  const byUrn = new Map(prs.map((r) => [r.urn, r]));
  const out: Violation[] = [];
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  const run = (p: PackPolicy, fn: () => void | Promise<void>) => {
    try {
      const result = fn();
      if (result && typeof (result as Promise<void>).then === "function") {
        throw new Error(`policy ${p.name} returned a promise; runPack runs synchronous policies only`);
      }
    } catch (e) {
      if (e instanceof NotApplicable) return;
      if (isUnknownValueError(e)) {
        out.push({
          policy: p.name,
          level: "advisory",
          kind: "Stack",
          namespace: null,
          name: "",
          message: `can't run during preview: ${(e as Error).message}`,
        });
        return;
      }
      throw new Error(`policy ${p.name} failed: ${(e as Error).stack ?? String(e)}`);
    }
  };
  const ordered = [
    ...policies.filter((p): p is ResourceValidationPolicy & PackPolicy => "validateResource" in p),
    ...policies.filter((p): p is StackValidationPolicy & PackPolicy => "validateStack" in p),
  ];
  for (const p of ordered) {
    const { level: configured, props } = entryOf(config, p.name);
    let level = configured ?? p.enforcementLevel ?? "advisory";
    if (level === "disabled") continue;
    if (level === "remediate") level = "mandatory";
    const getConfig = <T extends object>() => ({ ...props }) as T;
    const reporter =
      (fallback: PolicyResource | undefined): ReportViolation =>
      (message: string, urn?: string) => {
        const target = urn !== undefined ? byUrn.get(urn) : fallback;
        out.push({
          policy: p.name,
          level: level as "advisory" | "mandatory",
          severity: p.severity,
          ...whereOf(target),
          message,
          urn: target?.urn,
        });
      };
    if ("validateResource" in p && p.validateResource) {
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const r of prs) {
        const args: ResourceValidationArgs = {
          type: r.type,
          props: r.props,
          urn: r.urn,
          name: r.name,
          opts: r.opts,
          provider: r.provider,
          stackTags: new Map(),
          isType: () => false,
          asType: () => undefined,
          getConfig,
          notApplicable,
        };
        for (const v of validations) run(p, () => v(args, reporter(r)));
      }
    } else if ("validateStack" in p) {
      const args: StackValidationArgs = { resources: prs, stackTags: new Map(), getConfig, notApplicable };
      run(p, () => (p as StackValidationPolicy).validateStack(args, reporter(undefined)));
    }
  }
  return out;
}

/** Whether any violation blocks a deployment (mandatory). */
export function hasMandatory(violations: Violation[]): boolean {
  return violations.some((v) => v.level === "mandatory");
}
