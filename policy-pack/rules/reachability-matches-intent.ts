/**
 * Holds the stack's NetworkPolicies against the declared traffic intent: the
 * program publishes the intent as a labelled ConfigMap; the reachability engine
 * (policy-pack/reachability/check-intent.ts) computes what the policies actually
 * allow and reports allowed-but-undeclared and declared-but-blocked flows.
 */
import { CLUSTER_SCOPED_KINDS, type K8sManifest } from "../lib/resource-manifest";
import { stackRule } from "../lib/rule";
import { effectiveNamespace, type ManifestObject } from "../lib/stack";
import {
  INTENT_CONFIGMAP_KEY,
  INTENT_LABEL,
  type IntentDocument,
  type IntentEdge,
  parseIntentDocument,
} from "@k8s-netplat/contract";
// Imported, not looked up at run time: a mandatory rule without its engine must not load
// (and so fail the policy run), never pass as "not applicable".
import { checkIntent, type IntentFinding } from "../reachability/check-intent";

export type { IntentFinding };

/** The engine's signature; tests pass a stand-in of the same type. */
export type CheckIntent = typeof checkIntent;

/** `frontend -> orders:8080/TCP`, as people write an edge. */
function edgeText(e: IntentEdge): string {
  return `${e.from} -> ${e.to}:${e.port}/${e.protocol}`;
}

/** Plain manifest as the engine wants it: namespace filled in for namespaced kinds. */
function plainObject(o: ManifestObject): K8sManifest {
  const m = o.manifest;
  if (CLUSTER_SCOPED_KINDS.has(m.kind)) return m;
  return { ...m, metadata: { ...m.metadata, namespace: effectiveNamespace(o) } };
}

/** The rule, with the engine injectable (tests pass a stub of the same type). */
export function makeReachabilityRule(check: CheckIntent = checkIntent) {
  return stackRule(
    {
      name: "reachability-matches-intent",
      description:
        "The reachability the NetworkPolicies actually allow equals the declared traffic intent (ConfigMap labelled netplat.dev/traffic-intent): no undeclared flow is allowed, no declared flow is blocked. Checked per cluster.",
      severity: "high",
      remediation:
        "Change the intent declaration (the stack's platform.app.edges, or lib/default-app.ts) or the NetworkPolicies so they agree, then re-run preview",
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
          let findings: IntentFinding[];
          try {
            findings = check(objects, intent);
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
                `unintended flow ${f.src} -> ${f.dst} (${f.conn}) is allowed by ${f.allowedBy}`,
                "Narrow that NetworkPolicy, or declare the flow in the intent if it is wanted",
              );
            } else {
              report(
                cm,
                `declared flow ${edgeText(f.edge)} (${f.src} -> ${f.dst}) is blocked by the NetworkPolicies`,
                "Allow it in the NetworkPolicies (the source's egress and the destination's ingress)",
              );
            }
          }
        }
      }
    },
  );
}

export const reachabilityMatchesIntent = makeReachabilityRule();
