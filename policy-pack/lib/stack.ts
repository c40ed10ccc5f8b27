/**
 * The stack as the stack rules see it: every resource converted to a plain manifest
 * where it is a Kubernetes object, grouped per cluster (one Kubernetes provider per
 * cluster, so `provider.urn` is the cluster key), with the platform facts of each
 * cluster.
 */
import { createHash } from "crypto";
import type { PolicyResource } from "@pulumi/policy";
import type { K8sManifest } from "./k8s";
import { isRecord, manifestFromPlain, plainCopy, rawOf } from "./k8s";
import { detectPlatform, type PlatformFacts } from "./platform";
import type { ManifestObject, StackObject } from "./stack-object";

// In their own module so platform.ts can use them without importing this one back.
export type { ManifestObject, StackObject } from "./stack-object";

export interface ClusterView {
  key: string;
  objects: StackObject[];
  manifests: ManifestObject[];
  platform: PlatformFacts;
}

export interface StackView {
  objects: StackObject[];
  clusters: ClusterView[];
}

export const DEFAULT_CLUSTER = "default";

/** The namespace a namespaced object lands in: its own, else the provider's, else `default`. */
export function effectiveNamespace(o: { manifest?: K8sManifest; providerNamespace?: string }): string {
  return o.manifest?.metadata.namespace || o.providerNamespace || "default";
}

function providerNamespaceOf(r: PolicyResource): string | undefined {
  if (!r.provider) return undefined;
  const props = plainCopy(r.provider.props, "", []);
  return isRecord(props) && typeof props.namespace === "string" && props.namespace !== ""
    ? props.namespace
    : undefined;
}

/**
 * The stack view of `resources`, built once per stack: the policy runtime hands every
 * stack rule its own freshly deserialised copy of the same resources, so the view is
 * cached by content (URN, parent, provider and raw props of every resource) and the
 * rules after the first one reuse it instead of converting every resource again.
 * Rules read the view; none may change it.
 */
export function buildStackView(resources: PolicyResource[]): StackView {
  const key = contentKey(resources);
  if (lastView && lastView.key === key) return lastView.view;
  const view = computeStackView(resources);
  lastView = { key, view };
  return view;
}

let lastView: { key: string; view: StackView } | undefined;

/** How many views were computed (not served from the cache): for the tests. */
export function stackViewBuilds(): number {
  return builds;
}
let builds = 0;

function contentKey(resources: PolicyResource[]): string {
  const h = createHash("sha256");
  for (const r of resources) {
    // JSON of the proxies' targets: native, no proxy traps; unknowns are sentinel strings.
    h.update(`${r.urn}\0${r.type}\0${r.name}\0${r.parent?.urn ?? ""}\0${r.provider?.urn ?? ""}\0`);
    h.update(JSON.stringify(rawOf(r.provider?.props) ?? null) ?? "");
    h.update("\0");
    h.update(JSON.stringify(rawOf(r.props) ?? null) ?? "");
    h.update("\n");
  }
  return `${resources.length}:${h.digest("hex")}`;
}

function computeStackView(resources: PolicyResource[]): StackView {
  builds++;
  // Components (a Helm Chart, say) carry no provider; they belong to the cluster of
  // their children, so propagate each provider URN up the parent chain.
  const clusterOf = new Map<string, string>();
  for (const r of resources) {
    if (!r.provider) continue;
    clusterOf.set(r.urn, r.provider.urn);
    for (let p = r.parent; p && !p.provider && !clusterOf.has(p.urn); p = p.parent) {
      clusterOf.set(p.urn, r.provider.urn);
    }
  }
  const objects: StackObject[] = resources.map((r) => {
    // One copy of the props serves both the props and the manifest.
    const unknownPaths: string[] = [];
    const copy = plainCopy(r.props, "", unknownPaths);
    const props = isRecord(copy) ? copy : {};
    const conv = manifestFromPlain(r.type, props, r.name, unknownPaths);
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      props,
      manifest: conv?.manifest,
      unknownPaths: conv?.unknownPaths ?? [],
      cluster: clusterOf.get(r.urn) ?? DEFAULT_CLUSTER,
      providerNamespace: providerNamespaceOf(r),
    };
  });
  const byCluster = new Map<string, StackObject[]>();
  for (const o of objects) {
    if (o.type.startsWith("pulumi:")) continue; // the stack itself, providers
    const list = byCluster.get(o.cluster) ?? [];
    list.push(o);
    byCluster.set(o.cluster, list);
  }
  const clusters = [...byCluster.entries()].map(([key, objs]) => {
    const manifests = objs.filter((o): o is ManifestObject => o.manifest !== undefined);
    return { key, objects: objs, manifests, platform: detectPlatform(key, objs, manifests) };
  });
  return { objects, clusters };
}

/** Manifests of the given kind(s) in one cluster. */
export function ofKind(c: ClusterView, ...kinds: string[]): ManifestObject[] {
  return c.manifests.filter((o) => kinds.includes(o.manifest.kind));
}
