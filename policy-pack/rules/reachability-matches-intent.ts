/**
 * Holds the stack's NetworkPolicies against the declared traffic intent: the
 * program publishes the intent as a labelled ConfigMap; the reachability engine
 * (policy-pack/reachability/check-intent.ts) computes what the policies actually
 * allow and reports allowed-but-undeclared and declared-but-blocked flows.
 */
import { CLUSTER_SCOPED_KINDS, type K8sManifest } from "../lib/k8s";
import { stackRule } from "../lib/rule";
import { effectiveNamespace, type ManifestObject } from "../lib/stack";
import {
  INTENT_CONFIGMAP_KEY,
  INTENT_LABEL,
  type IntentDocument,
  parseIntentDocument,
} from "../reachability/intent-document";

/** The contract of check-intent.ts (written by the reachability engine's author). */
export type IntentFinding =
  | { kind: "unintended"; src: unknown; dst: unknown; conn: unknown; allowedBy: unknown }
  | { kind: "blocked"; edge: unknown; src: unknown; dst: unknown };

export type CheckIntent = (objects: unknown[], intent: IntentDocument) => IntentFinding[];

export const CHECK_INTENT_MODULE = "../reachability/check-intent";

/**
 * Loads checkIntent at run time, so the pack builds and runs while the engine is
 * not there yet; undefined when the module does not exist.
 */
export function loadCheckIntent(): CheckIntent | undefined {
  let mod: { checkIntent?: CheckIntent };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(CHECK_INTENT_MODULE) as { checkIntent?: CheckIntent };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "MODULE_NOT_FOUND" && err.message.includes("check-intent")) return undefined;
    throw e;
  }
  return typeof mod.checkIntent === "function" ? mod.checkIntent : undefined;
}

/** Short text for a finding's src/dst/conn/edge/allowedBy, whatever shape the engine gives. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return "?";
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (Array.isArray(v)) return v.map(show).join(", ");
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.namespace === "string" && typeof o.name === "string") return `${o.namespace}/${o.name}`;
    for (const k of ["name", "id", "peer", "label"]) if (typeof o[k] === "string") return o[k] as string;
    if (typeof o.from === "string" && typeof o.to === "string") {
      return `${o.from} -> ${o.to}${o.port !== undefined ? `:${String(o.port)}` : ""}${o.protocol ? `/${String(o.protocol)}` : ""}`;
    }
    if (o.port !== undefined) return `${String(o.protocol ?? "")}${o.protocol ? "/" : ""}${String(o.port)}`;
    return JSON.stringify(v);
  }
  return String(v);
}

/** Plain manifest as the engine wants it: namespace filled in for namespaced kinds. */
function plainObject(o: ManifestObject): K8sManifest {
  const m = o.manifest;
  if (CLUSTER_SCOPED_KINDS.has(m.kind)) return m;
  return { ...m, metadata: { ...m.metadata, namespace: effectiveNamespace(o) } };
}

/** The rule, with the engine loader injectable (tests pass a stub engine). */
export function makeReachabilityRule(load: () => CheckIntent | undefined = loadCheckIntent) {
  return stackRule(
    {
      name: "reachability-matches-intent",
      description:
        "The reachability the NetworkPolicies actually allow equals the declared traffic intent (ConfigMap labelled netplat.dev/traffic-intent): no undeclared flow is allowed, no declared flow is blocked. Checked per cluster.",
      severity: "high",
      remediation:
        "Change the intent declaration (the stack's platform.app.edges, or lib/shop.ts) or the NetworkPolicies so they agree, then re-run preview",
      enforcementLevel: "mandatory",
    },
    ({ view, report, notApplicable }) => {
      const clusters = view.clusters
        .map((c) => ({
          c,
          intents: c.manifests.filter(
            (o) =>
              o.manifest.kind === "ConfigMap" && o.manifest.metadata.labels?.[INTENT_LABEL] !== undefined,
          ),
        }))
        .filter((x) => x.intents.length > 0);
      if (clusters.length === 0) return notApplicable(`no ConfigMap labelled ${INTENT_LABEL} in the stack`);
      const checkIntent = load();
      for (const { c, intents } of clusters) {
        const objects = c.manifests.map(plainObject);
        for (const cm of intents) {
          const text = cm.manifest.data?.[INTENT_CONFIGMAP_KEY];
          let intent: IntentDocument;
          try {
            if (text === undefined) throw new Error(`no data key ${INTENT_CONFIGMAP_KEY}`);
            intent = parseIntentDocument(text);
          } catch (e) {
            report(
              cm,
              `the traffic intent cannot be read: ${(e as Error).message}`,
              "Fix the intent ConfigMap's JSON",
            );
            continue;
          }
          if (!checkIntent) continue;
          let findings: ReturnType<typeof checkIntent>;
          try {
            findings = checkIntent(objects, intent);
          } catch (e) {
            // The analyser refuses malformed NetworkPolicies rather than guess; a policy
            // set it cannot read proves nothing, so that is a violation of this rule too.
            report(
              cm,
              `reachability cannot be computed: ${(e as Error).message}`,
              "Fix the NetworkPolicy the message names (other rules say more about it)",
            );
            continue;
          }
          for (const f of findings) {
            if (f.kind === "unintended") {
              report(
                cm,
                `unintended flow ${show(f.src)} -> ${show(f.dst)} (${show(f.conn)}) is allowed by ${show(f.allowedBy)}`,
                "Narrow that NetworkPolicy, or declare the flow in the intent if it is wanted",
              );
            } else {
              report(
                cm,
                `declared flow ${show(f.edge)} (${show(f.src)} -> ${show(f.dst)}) is blocked by the NetworkPolicies`,
                "Allow it in the NetworkPolicies (the source's egress and the destination's ingress)",
              );
            }
          }
        }
      }
      if (!checkIntent) {
        return notApplicable(
          "the reachability engine (policy-pack/reachability/check-intent.ts) is not present",
        );
      }
    },
  );
}

export const reachabilityMatchesIntent = makeReachabilityRule();
