/**
 * The connectivity a preview changes, per cluster: the Namespaces, NetworkPolicies and
 * workloads the engine reports before the change (each step's old state) and after it
 * (its new state), diffed by the reachability analyser and judged against the traffic
 * intent ConfigMap of the new state (policy-pack/reachability/intent-diff.ts). Pure.
 *
 * Only the event stream (`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true`) can give this: it
 * has a `resourcePreEvent` for every resource, unchanged ones (`same`) included, with
 * `old` and `new` states and their `inputs`. The default digest lists only changed
 * steps, so the unchanged NetworkPolicies that shape connectivity are missing from it.
 */
import { isRecord, toManifest, type K8sManifest } from "../../policy-pack/lib/resource-manifest";
import { connectivityChanges, type ConnectivityChange } from "../../policy-pack/reachability/intent-diff";
import {
  INTENT_CONFIGMAP_KEY,
  INTENT_LABEL,
  parseIntentDocument,
  type IntentDocument,
} from "@k8s-netplat/contract";
import { WORKLOAD_KINDS } from "../../policy-pack/reachability/objects";

type Json = Record<string, unknown>;

/** One resource's states in a preview: what is deployed (`old`) and what would be (`new`). */
export interface ResourceStates {
  urn: string;
  type: string;
  /** The Kubernetes provider's URN (without its id): one per cluster. Empty for non-Kubernetes resources. */
  provider: string;
  old?: Json;
  new?: Json;
}

const CREATES = new Set(["create", "create-replacement"]);
const DELETES = new Set(["delete", "delete-replaced", "discard", "discard-replaced"]);

/** Collects old/new states per URN from `resourcePreEvent.metadata` of an event stream. */
export class StateCollector {
  private readonly byUrn = new Map<string, ResourceStates>();

  add(metadata: Json): void {
    const urn = typeof metadata.urn === "string" ? metadata.urn : undefined;
    const op = typeof metadata.op === "string" ? metadata.op : "";
    if (!urn) return;
    const ref = typeof metadata.provider === "string" ? metadata.provider : "";
    const rec = this.byUrn.get(urn) ?? {
      urn,
      type: typeof metadata.type === "string" ? metadata.type : "",
      provider: ref.includes("::") ? ref.slice(0, ref.lastIndexOf("::")) : ref,
    };
    if (!CREATES.has(op) && isRecord(metadata.old)) rec.old = metadata.old;
    if (!DELETES.has(op) && isRecord(metadata.new)) rec.new = metadata.new;
    this.byUrn.set(urn, rec);
  }

  states(): ResourceStates[] {
    return [...this.byUrn.values()];
  }
}

export interface ClusterConnectivity {
  /** The provider's resource name (the cluster's name in the stack). */
  cluster: string;
  changes: ConnectivityChange[];
  /** False when the new state has no intent ConfigMap: nothing is judged. */
  intentFound: boolean;
  /** Why the connectivity of this cluster could not be computed (unknown values, invalid objects). */
  error?: string;
}

export type ConnectivityReport =
  { available: false; reason: string } | { available: true; clusters: ClusterConnectivity[] };

const ANALYSED_KINDS = new Set<string>(["Namespace", "NetworkPolicy", ...WORKLOAD_KINDS]);

function isIntent(m: K8sManifest): boolean {
  return m.kind === "ConfigMap" && m.metadata.labels?.[INTENT_LABEL] !== undefined;
}

function describe(m: K8sManifest): string {
  return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name ?? "?"}`;
}

interface Side {
  objects: K8sManifest[];
  intent?: IntentDocument;
}

function side(states: ResourceStates[], which: "old" | "new"): Side {
  const out: Side = { objects: [] };
  for (const s of states) {
    const state = s[which];
    if (!state || !isRecord(state.inputs)) continue;
    const conv = toManifest(s.type, state.inputs);
    if (!conv) continue;
    const m = conv.manifest;
    const relevant = ANALYSED_KINDS.has(m.kind) || isIntent(m);
    if (!relevant) continue;
    if (conv.unknownPaths.length) {
      throw new Error(
        `${describe(m)} has values known only after the update (${conv.unknownPaths.join(", ")})`,
      );
    }
    if (isIntent(m)) {
      const text = m.data?.[INTENT_CONFIGMAP_KEY];
      if (text === undefined)
        throw new Error(`${describe(m)}: the traffic intent has no data key ${INTENT_CONFIGMAP_KEY}`);
      try {
        out.intent = parseIntentDocument(text);
      } catch (e) {
        throw new Error(`${describe(m)}: ${(e as Error).message}`);
      }
    } else out.objects.push(m);
  }
  return out;
}

function providerName(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** The connectivity changes of every cluster (Kubernetes provider) of the preview. */
export function previewConnectivity(states: readonly ResourceStates[]): ConnectivityReport {
  const k8s = states.filter((s) => s.type.startsWith("kubernetes:") && s.provider !== "");
  if (k8s.length === 0) {
    return { available: false, reason: "the preview has no Kubernetes resources" };
  }
  if (!k8s.some((s) => isRecord(s.old?.inputs) || isRecord(s.new?.inputs))) {
    return {
      available: false,
      reason: "the preview output carries no resource inputs (old and new states)",
    };
  }
  const byCluster = new Map<string, ResourceStates[]>();
  for (const s of k8s) byCluster.set(s.provider, [...(byCluster.get(s.provider) ?? []), s]);
  const clusters: ClusterConnectivity[] = [];
  for (const [provider, list] of [...byCluster].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const cluster = providerName(provider);
    try {
      const before = side(list, "old");
      const after = side(list, "new");
      clusters.push({
        cluster,
        changes: connectivityChanges(before.objects, after.objects, after.intent, before.intent),
        intentFound: after.intent !== undefined,
      });
    } catch (e) {
      clusters.push({ cluster, changes: [], intentFound: false, error: (e as Error).message });
    }
  }
  return { available: true, clusters };
}

const VERDICT_ORDER = ["unintended", "outside intent", "intended"];

/** Unintended first, then outside the intent, then intended; opens before closes. */
export function sortChanges(changes: readonly ConnectivityChange[]): ConnectivityChange[] {
  return [...changes].sort(
    (a, b) =>
      VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) ||
      (a.change === b.change ? 0 : a.change === "opens" ? -1 : 1) ||
      a.srcName.localeCompare(b.srcName) ||
      a.dstName.localeCompare(b.dstName),
  );
}

/** "opens frontend → payment TCP 8080" */
export function describeChange(c: ConnectivityChange): string {
  return `${c.change} ${c.srcName} → ${c.dstName} ${c.conn.toString()}`;
}

/** Reasons the connectivity makes the preview fail: unintended changes and clusters it could not judge. */
export function connectivityFailures(report: ConnectivityReport | undefined): string[] {
  if (!report?.available) return [];
  const out: string[] = [];
  for (const c of report.clusters) {
    if (c.error) out.push(`connectivity of cluster ${c.cluster} cannot be computed: ${c.error}`);
    for (const ch of c.changes.filter((x) => x.verdict === "unintended")) {
      out.push(
        `cluster ${c.cluster} ${ch.change === "opens" ? "opens an unintended path" : "closes a declared path"}: ${ch.srcName} → ${ch.dstName} ${ch.conn.toString()}`,
      );
    }
  }
  return out;
}
