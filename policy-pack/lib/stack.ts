/**
 * The stack as the stack rules see it: every resource converted to a plain manifest
 * where it is a Kubernetes object, grouped per cluster (one Kubernetes provider per
 * cluster, so `provider.urn` is the cluster key), with the platform facts of each
 * cluster.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { K8sManifest } from "./resource-manifest";
import { isRecord, plainCopy, toManifest } from "./resource-manifest";
import { detectPlatform, type PlatformFacts } from "./platform";
import type { ManifestObject, StackObject } from "./stack-object";

// In their own module so platform.ts can use them without importing this one back.
export type { ManifestObject, StackObject } from "./stack-object";

export interface StackCluster {
  key: string;
  objects: StackObject[];
  manifests: ManifestObject[];
  platform: PlatformFacts;
}

export interface StackView {
  objects: StackObject[];
  clusters: StackCluster[];
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

export function buildStackView(resources: PolicyResource[]): StackView {
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
    const conv = toManifest(r.type, r.props, r.name);
    const props = plainCopy(r.props, "", []);
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      props: isRecord(props) ? props : {},
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
export function ofKind(c: StackCluster, ...kinds: string[]): ManifestObject[] {
  return c.manifests.filter((o) => kinds.includes(o.manifest.kind));
}
