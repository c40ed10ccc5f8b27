/**
 * Validates plain Kubernetes objects against the upstream OpenAPI/CRD schemas that
 * the kubernetes-models packages publish (built-in kinds, Istio, cert-manager,
 * Gateway API). Kinds with no published schema package are listed here by name, so a
 * new kind the program starts emitting fails the suite until someone classifies it.
 */
import { validateSchema } from "../../policy-pack/manifests/schema";

/** Kinds the program emits for which no maintained schema package exists on npm. */
export const NO_PUBLISHED_SCHEMA: ReadonlyMap<string, string> = new Map([
  [
    "multicluster.x-k8s.io/v1alpha1/ServiceExport",
    "Multi-Cluster Services API (Submariner Lighthouse); no npm schema package",
  ],
  ["operator.tigera.io/v1/Installation", "Calico operator CRD; no npm schema package"],
  ["submariner.io/v1alpha1/Broker", "Submariner operator CRD; no npm schema package"],
  ["submariner.io/v1alpha1/Submariner", "Submariner operator CRD; no npm schema package"],
]);

export type SchemaResult = { status: "valid" } | { status: "no-schema"; reason: string };

interface ObjectLike {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
}

/**
 * Throws with the schema's complaint when the object is invalid. The schemas are the
 * manifest loader's (policy-pack/manifests/schema.ts), so the program's output and the
 * CLIs' input are judged by one mapping of kinds to packages.
 */
export async function validateAgainstSchema(obj: ObjectLike): Promise<SchemaResult> {
  const gvk = `${obj.apiVersion}/${obj.kind}`;
  const reason = NO_PUBLISHED_SCHEMA.get(gvk);
  if (reason) return { status: "no-schema", reason };
  const verdict = validateSchema(obj);
  const where = `${gvk} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? "?"}`;
  switch (verdict.status) {
    case "valid":
      return { status: "valid" };
    case "no-schema":
      throw new Error(
        `${gvk}: no schema source known; add it to NO_PUBLISHED_SCHEMA with the reason, or map its package`,
      );
    case "unknown-kind":
      throw new Error(`${where}: ${verdict.reason}`);
    case "invalid":
      throw new Error(`${where}: ${verdict.problems.map((p) => `${p.field} ${p.reason}`).join(", ")}`);
  }
}
