/**
 * Reading objects back from a local cluster by apiVersion/kind/namespace/name, with the
 * resource names taken from the server's own discovery (so custom resources resolve
 * through the CRDs the charts installed).
 */
import { apiRequest } from "../../scripts/lib/local-cluster";

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

const discovery = new Map<string, ApiResourceList>();

async function resources(cluster: string, apiVersion: string): Promise<ApiResourceList | undefined> {
  const key = `${cluster}|${apiVersion}`;
  if (!discovery.has(key)) {
    const r = await apiRequest(cluster, "GET", apiVersion === "v1" ? "/api/v1" : `/apis/${apiVersion}`);
    if (r.status !== 200) return undefined;
    discovery.set(key, JSON.parse(r.body) as ApiResourceList);
  }
  return discovery.get(key);
}

export function forgetDiscovery(): void {
  discovery.clear();
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** The reference of a planned object. */
export function objectRef(o: {
  apiVersion: string;
  kind: string;
  metadata: { namespace?: string; name?: string };
}): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name ?? "",
  };
}

export const refText = (o: ObjectRef) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;

/** The object's URL path on the server, or undefined when the server does not serve its kind. */
export async function objectPath(cluster: string, o: ObjectRef): Promise<string | undefined> {
  const list = await resources(cluster, o.apiVersion);
  const res = list?.resources.find((r) => r.kind === o.kind && !r.name.includes("/"));
  if (!res) return undefined;
  const base = o.apiVersion === "v1" ? "/api/v1" : `/apis/${o.apiVersion}`;
  const ns = res.namespaced ? `/namespaces/${o.namespace ?? "default"}` : "";
  return `${base}${ns}/${res.name}/${o.name}`;
}

/** GET of one object: the parsed object, `null` when absent (404, or a kind the server does not serve). */
export async function getObject(cluster: string, o: ObjectRef): Promise<Record<string, unknown> | null> {
  const p = await objectPath(cluster, o);
  if (!p) return null;
  const r = await apiRequest(cluster, "GET", p);
  if (r.status === 404) return null;
  if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

export interface RefreshPreview {
  steps?: Array<{ op: string; urn: string; detailedDiff?: Record<string, unknown>; diffReasons?: string[] }>;
}

/**
 * What a refresh would change outside `status`, as `urn: property`. Controllers fill in
 * status after Pulumi stops waiting (a PodDisruptionBudget's healthy count, an HPA's
 * conditions): that is the cluster reporting, not drift. A change without a property
 * list counts as drift.
 */
export function driftOutsideStatus(preview: RefreshPreview): string[] {
  const out: string[] = [];
  for (const step of preview.steps ?? []) {
    if (step.op === "same" || step.op === "read") continue;
    const props = Object.keys(step.detailedDiff ?? {}).concat(step.diffReasons ?? []);
    // A refresh reports every resource it read as a "refresh" step; only those that
    // carry changed properties changed.
    if (props.length === 0 && step.op !== "refresh") out.push(`${step.urn}: ${step.op} (no property list)`);
    for (const p of props) if (!/^status(\.|\[|$)/.test(p)) out.push(`${step.urn}: ${step.op} ${p}`);
  }
  return [...new Set(out)];
}
