/** One stack resource as the stack rules see it (see stack.ts, which builds them). */
import type { K8sManifest } from "./resource-manifest";

export interface StackObject {
  urn: string;
  type: string;
  name: string;
  /** Plain copy of the props (preview unknowns dropped). */
  props: Record<string, unknown>;
  /** Set when the resource is a Kubernetes object. */
  manifest?: K8sManifest;
  unknownPaths: string[];
  /** Cluster key: the Kubernetes provider's URN, or "default". */
  cluster: string;
  /** The provider's default namespace (provider `namespace` option), if set. */
  providerNamespace?: string;
}

export interface ManifestObject extends StackObject {
  manifest: K8sManifest;
}
