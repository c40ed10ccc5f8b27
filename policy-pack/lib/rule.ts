/**
 * Builders that turn a rule written against plain manifests into a CrossGuard
 * policy (`ResourceValidationPolicy` / `StackValidationPolicy`). They take care of
 * what every rule shares: config defaults from the schema, the `exclude` list,
 * "not applicable" for other kinds, and a remediation sentence in every message.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  ReportViolation,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { K8sManifest } from "./k8s";
import { describe, isRecord, parseTypeToken, toManifest } from "./k8s";
import { buildStackView, type StackObject, type StackView } from "./stack";

export type RuleKind = "resource" | "stack";

/** A config property: its JSON schema, with the default the rule uses when config omits it. */
export type ConfigProps<C> = { [K in keyof C]: PolicyConfigJSONSchema & { default: C[K] } };

export interface RuleMeta<C> {
  /** Policy id, e.g. `kubernetes-pod-no-privileged`. */
  name: string;
  description: string;
  severity: Severity;
  /** What to do about a violation, in one or two sentences; the default fix in messages. */
  remediation: string;
  /** Used when the stack's policy config names no level for this rule. */
  enforcementLevel: EnforcementLevel;
  config?: ConfigProps<C>;
}

function schemaOf<C>(props: ConfigProps<C> | undefined, extra: Record<string, PolicyConfigJSONSchema>) {
  const properties: Record<string, PolicyConfigJSONSchema> = { ...extra };
  for (const [k, v] of Object.entries(props ?? {})) properties[k] = v as PolicyConfigJSONSchema;
  return Object.keys(properties).length > 0 ? ({ properties } satisfies PolicyConfigSchema) : undefined;
}

function configOf<C>(schema: PolicyConfigSchema | undefined, given: object): C {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema?.properties ?? {})) {
    if (isRecord(v) && "default" in v) out[k] = v.default;
  }
  return { ...out, ...given } as C;
}

function message(problem: string, fix: string, unknownPaths: string[] = []): string {
  const p = problem.replace(/[.\s]+$/, "");
  const f = fix.replace(/\s+$/, "");
  const unknown =
    unknownPaths.length > 0
      ? ` (Unknown during preview, checked as absent: ${unknownPaths.slice(0, 3).join(", ")}` +
        `${unknownPaths.length > 3 ? ", ..." : ""}; \`pulumi up\` sees the real values.)`
      : "";
  return `${p}. ${f.endsWith(".") ? f : `${f}.`}${unknown}`;
}

/** Matches `namespace/name` against patterns with `*` wildcards, e.g. `kube-system/*` or `ingress-nginx/*-controller`. */
export function matchesAny(patterns: readonly string[], namespace: string, name: string): boolean {
  const key = `${namespace}/${name}`;
  return patterns.some((p) => {
    const escaped = p.split("*").map((s) => s.replace(/[.+?^$()|[\]\\{}]/g, "\\$&"));
    const re = new RegExp(`^${escaped.join(".*")}$`);
    return re.test(key);
  });
}

export interface CommonResourceConfig {
  /** Objects this rule skips, as `namespace/name` patterns (`*` wildcard). */
  exclude: string[];
}

export interface ResourceCheck<C> {
  manifest: K8sManifest;
  config: C & CommonResourceConfig;
  /** The namespace the object lands in (own, provider default, else `default`). */
  namespace: string;
  /** Whether metadata.namespace was set on the object itself. */
  namespaceSet: boolean;
  /** Property paths that were unknown during preview (dropped from `manifest`). */
  unknownPaths: string[];
  report(problem: string, fix?: string): void;
}

export interface ResourceRuleMeta<C> extends RuleMeta<C> {
  /** Kinds the rule checks. */
  kinds: readonly string[];
  /** Restrict to these apiVersion groups (e.g. `security.istio.io`); all when omitted. */
  groups?: readonly string[];
  /**
   * Skip objects only through narrow `exemptions` (one workload each, with a reason),
   * never `exclude` patterns: for rules no whole namespace may be switched off for.
   */
  exemptionsOnly?: boolean;
  /** Extra policy tags (e.g. the standard's control a rule implements). */
  tags?: readonly string[];
}

/** One workload a rule does not apply to, and why (config `exemptions`). */
export interface Exemption {
  namespace: string;
  kind: string;
  name: string;
  reason: string;
}

const EXEMPTION_SHAPE =
  'each exemption names one workload and why: {"namespace": "kube-system", "kind": "DaemonSet", "name": "cilium", "reason": "..."}, no wildcards';

/** The rule's `exemptions` config, validated; throws an error naming the bad entry. */
export function parseExemptions(rule: string, kinds: readonly string[], config: object): Exemption[] {
  const cfg = config as Record<string, unknown>;
  if (Array.isArray(cfg.exclude) ? cfg.exclude.length > 0 : cfg.exclude !== undefined) {
    throw new Error(
      `${rule}: config "exclude" is not accepted (it can switch off whole namespaces); list narrow "exemptions" instead: ${EXEMPTION_SHAPE}`,
    );
  }
  const raw = cfg.exemptions ?? [];
  if (!Array.isArray(raw)) throw new Error(`${rule}: config "exemptions" must be a list; ${EXEMPTION_SHAPE}`);
  return raw.map((e: unknown, i) => {
    const where = `${rule}: exemptions[${i}]`;
    if (!isRecord(e)) throw new Error(`${where} is not an object; ${EXEMPTION_SHAPE}`);
    const extra = Object.keys(e).filter((k) => !["namespace", "kind", "name", "reason"].includes(k));
    if (extra.length > 0)
      throw new Error(`${where} has unknown key(s) ${extra.join(", ")}; ${EXEMPTION_SHAPE}`);
    for (const k of ["namespace", "kind", "name", "reason"] as const) {
      if (typeof e[k] !== "string" || e[k].trim() === "") {
        throw new Error(`${where}.${k} must be a non-empty string; ${EXEMPTION_SHAPE}`);
      }
    }
    const x = e as unknown as Exemption;
    for (const k of ["namespace", "name"] as const) {
      if (/[*?]/.test(x[k])) throw new Error(`${where}.${k} "${x[k]}" has a wildcard; ${EXEMPTION_SHAPE}`);
    }
    if (!kinds.includes(x.kind)) {
      throw new Error(`${where}.kind "${x.kind}" is not one this rule checks (${kinds.join(", ")})`);
    }
    return x;
  });
}

const EXEMPTIONS_SCHEMA: PolicyConfigJSONSchema = {
  type: "array",
  default: [],
  description:
    "Workloads this rule skips, one each, with the reason (platform add-ons that inherently need more). No wildcards.",
  items: {
    type: "object",
    required: ["namespace", "kind", "name", "reason"],
    additionalProperties: false,
    properties: {
      namespace: { type: "string", minLength: 1 },
      kind: { type: "string", minLength: 1 },
      name: { type: "string", minLength: 1 },
      reason: { type: "string", minLength: 1 },
    },
  },
};

export type PackPolicy = (ResourceValidationPolicy | StackValidationPolicy) & { tags: string[] };

/** The fields every policy of the pack carries, from its rule metadata. */
function policyFields<C>(meta: RuleMeta<C>, configSchema: PolicyConfigSchema | undefined, tags: string[]) {
  return {
    name: meta.name,
    description: meta.description,
    severity: meta.severity,
    enforcementLevel: meta.enforcementLevel,
    remediationSteps: meta.remediation,
    configSchema,
    tags,
  };
}

export function resourceRule<C extends object>(
  meta: ResourceRuleMeta<C>,
  check: (c: ResourceCheck<C>) => void,
): ResourceValidationPolicy & { tags: string[] } {
  const configSchema = schemaOf(
    meta.config,
    meta.exemptionsOnly
      ? { exemptions: EXEMPTIONS_SCHEMA }
      : {
          exclude: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Objects this rule skips, as namespace/name patterns with * wildcards.",
          },
        },
  );
  return {
    ...policyFields(meta, configSchema, ["resource", ...meta.kinds, ...(meta.tags ?? [])]),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      // The kind is in the type token: decide applicability before copying the props
      // (every resource rule sees every resource; a CRD's schema is large).
      const gvk = parseTypeToken(args.type);
      const conv =
        gvk && meta.kinds.includes(gvk.kind) ? toManifest(args.type, args.props, args.name) : undefined;
      if (!conv || !meta.kinds.includes(conv.manifest.kind)) {
        return args.notApplicable(`checks ${meta.kinds.join(", ")} only`);
      }
      const m = conv.manifest;
      const group = m.apiVersion.includes("/") ? m.apiVersion.split("/")[0] : "";
      if (meta.groups && !meta.groups.includes(group)) {
        return args.notApplicable(`checks ${meta.groups.join(", ")} objects only`);
      }
      const given = args.getConfig<object>();
      const config = configOf<C & CommonResourceConfig>(configSchema, given);
      const providerNs = args.provider?.props?.namespace;
      const namespace = m.metadata.namespace || (typeof providerNs === "string" && providerNs) || "default";
      if (meta.exemptionsOnly) {
        const exempt = parseExemptions(meta.name, meta.kinds, given).find(
          (e) => e.namespace === namespace && e.kind === m.kind && e.name === m.metadata.name,
        );
        if (exempt) return args.notApplicable(`${describe(m)} is exempted: ${exempt.reason}`);
      } else if (matchesAny(config.exclude ?? [], namespace, m.metadata.name ?? "")) {
        return args.notApplicable(`${describe(m)} is excluded by config`);
      }
      check({
        manifest: m,
        config,
        namespace,
        namespaceSet: Boolean(m.metadata.namespace),
        unknownPaths: conv.unknownPaths,
        report: (problem, fix) =>
          reportViolation(message(problem, fix ?? meta.remediation, conv.unknownPaths)),
      });
    },
  };
}

export interface StackCheck<C> {
  view: StackView;
  config: C;
  /** Reports against `target` (its URN), or the stack as a whole. */
  report(target: StackObject | undefined, problem: string, fix?: string): void;
  /** Marks the policy not applicable to this stack (throws). */
  notApplicable(reason: string): never;
}

export function stackRule<C extends object>(
  meta: RuleMeta<C>,
  check: (c: StackCheck<C>) => void,
): StackValidationPolicy & { tags: string[] } {
  const configSchema = schemaOf(meta.config, {});
  return {
    ...policyFields(meta, configSchema, ["stack"]),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const view = buildStackView(args.resources);
      const config = configOf<C>(configSchema, args.getConfig<object>());
      check({
        view,
        config,
        report: (target, problem, fix) =>
          reportViolation(message(problem, fix ?? meta.remediation, target?.unknownPaths), target?.urn),
        notApplicable: (reason) => args.notApplicable(reason),
      });
    },
  };
}
