/**
 * Validates plain Kubernetes objects against the upstream OpenAPI/CRD schemas that
 * the kubernetes-models packages publish (built-in kinds, Istio, cert-manager,
 * Gateway API). Kinds with no published schema package are listed here by name, so a
 * new kind the program starts emitting fails the suite until someone classifies it.
 */

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

// kubernetes-models v5 ships ES modules only; a real dynamic import (which TypeScript's
// CommonJS output would otherwise turn into require) loads them from this CommonJS suite.
const importEsm = new Function("specifier", "return import(specifier)") as (
  s: string,
) => Promise<Record<string, unknown>>;

function modulePath(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}/${kind}`;
  if (group.endsWith(".istio.io")) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  if (group === "cert-manager.io" || group === "acme.cert-manager.io") {
    return `@kubernetes-models/cert-manager/${group}/${version}/${kind}`;
  }
  if (group === "gateway.networking.k8s.io")
    return `@kubernetes-models/gateway-api/${group}/${version}/${kind}`;
  if (!group.includes(".") || group.endsWith(".k8s.io"))
    return `kubernetes-models/${group}/${version}/${kind}`;
  return undefined;
}

export type SchemaResult = { status: "valid" } | { status: "no-schema"; reason: string };

interface ObjectLike {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
}

/** Throws with the schema's complaint when the object is invalid. */
export async function validateAgainstSchema(obj: ObjectLike): Promise<SchemaResult> {
  const gvk = `${obj.apiVersion}/${obj.kind}`;
  const reason = NO_PUBLISHED_SCHEMA.get(gvk);
  if (reason) return { status: "no-schema", reason };
  const path = modulePath(obj.apiVersion, obj.kind);
  if (!path)
    throw new Error(
      `${gvk}: no schema source known; add it to NO_PUBLISHED_SCHEMA with the reason, or map its package`,
    );
  let mod: Record<string, unknown>;
  try {
    mod = await importEsm(path);
  } catch (e) {
    throw new Error(`${gvk}: cannot load ${path} (${(e as Error).message.split("\n")[0]})`);
  }
  const Model = mod[obj.kind] as new (data: unknown) => { validate(): void };
  try {
    new Model(obj).validate();
  } catch (e) {
    const where = `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? "?"}`;
    throw new Error(`${gvk} ${where}: ${(e as Error).message}`);
  }
  return { status: "valid" };
}
