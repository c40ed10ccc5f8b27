/**
 * Plain manifests (read and checked by the one manifest loader, ../manifests) as the
 * stack resources the pack's policies judge.
 */
import type { LoadedManifest } from "../manifests";
import { typeTokenFor } from "./resource-manifest";
import type { PackResource } from "./run";

/** The manifests as stack resources: type token from apiVersion/kind, a URN per object. */
export function manifestsToResources(loaded: LoadedManifest[]): PackResource[] {
  return loaded.map(({ manifest: m }) => {
    const type = typeTokenFor(m.apiVersion, m.kind);
    const name = m.metadata.name ?? "";
    const id = `${m.metadata.namespace ?? ""}/${name}`;
    return {
      type,
      name,
      props: m as Record<string, unknown>,
      urn: `urn:pulumi:plain::policy-check::${type}::${id}`,
    };
  });
}
