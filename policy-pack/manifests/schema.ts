/**
 * Validation of one object against the upstream OpenAPI schema of its kind, as the
 * kubernetes-models packages publish it: the built-in kinds, and the custom resources
 * whose CRDs the project knows (Istio, cert-manager, Gateway API, the Prometheus operator). A kind in an API
 * group those packages cover but that the group does not serve (`networking.k8s.io/v2`,
 * a typo in the kind) is refused, as the API server refuses it; kinds of other groups
 * (a CRD the project does not know) are checked only structurally.
 *
 * The packages ship ES modules only, and export them for `import` only; Node.js
 * (20.19 and later) can `require` an ES module synchronously, so they are required by
 * file path, which keeps the loader, the CLIs and the pack synchronous.
 */
import * as fs from "fs";
import * as path from "path";

interface SchemaPackage {
  name: string;
  /** Whether the package covers this API group. */
  covers(group: string): boolean;
}

const PACKAGES: SchemaPackage[] = [
  {
    name: "@kubernetes-models/istio",
    covers: (g) => g.endsWith(".istio.io"),
  },
  {
    name: "@kubernetes-models/cert-manager",
    covers: (g) => g === "cert-manager.io" || g === "acme.cert-manager.io",
  },
  {
    name: "@kubernetes-models/gateway-api",
    covers: (g) => g === "gateway.networking.k8s.io" || g === "gateway.networking.x-k8s.io",
  },
  {
    name: "@kubernetes-models/prometheus-operator",
    covers: (g) => g === "monitoring.coreos.com",
  },
  // Last: built-in groups have no dot or end in .k8s.io (the other k8s.io groups are above).
  { name: "kubernetes-models", covers: () => true },
];

interface ValidationErrorLike {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** One problem the schema found: a JSON-pointer-like path and what is wrong there. */
export interface SchemaProblem {
  /** Dotted field path (`spec.ingress[0].ports[0].protocol`), `""` for the object itself. */
  field: string;
  /** What is wrong and, where the schema says, what would be accepted. */
  reason: string;
}

/**
 * API versions the schema packages still carry but Kubernetes has stopped serving
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/): kind -> the version
 * to use instead, per removed apiVersion.
 */
const REMOVED: Record<string, { removedIn: string; kinds: Record<string, string> }> = {
  "extensions/v1beta1": {
    removedIn: "1.22",
    kinds: {
      Ingress: "networking.k8s.io/v1",
      NetworkPolicy: "networking.k8s.io/v1",
      Deployment: "apps/v1",
      DaemonSet: "apps/v1",
      ReplicaSet: "apps/v1",
    },
  },
  "apps/v1beta1": { removedIn: "1.16", kinds: { Deployment: "apps/v1", StatefulSet: "apps/v1" } },
  "apps/v1beta2": {
    removedIn: "1.16",
    kinds: { Deployment: "apps/v1", StatefulSet: "apps/v1", DaemonSet: "apps/v1", ReplicaSet: "apps/v1" },
  },
  "networking.k8s.io/v1beta1": {
    removedIn: "1.22",
    kinds: { Ingress: "networking.k8s.io/v1", IngressClass: "networking.k8s.io/v1" },
  },
  "rbac.authorization.k8s.io/v1beta1": {
    removedIn: "1.22",
    kinds: Object.fromEntries(
      ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].map((k) => [
        k,
        "rbac.authorization.k8s.io/v1",
      ]),
    ),
  },
  "apiextensions.k8s.io/v1beta1": {
    removedIn: "1.22",
    kinds: { CustomResourceDefinition: "apiextensions.k8s.io/v1" },
  },
  "policy/v1beta1": {
    removedIn: "1.25",
    kinds: {
      PodDisruptionBudget: "policy/v1",
      PodSecurityPolicy: "none (Pod Security Admission replaces it)",
    },
  },
  "batch/v1beta1": { removedIn: "1.25", kinds: { CronJob: "batch/v1" } },
  "discovery.k8s.io/v1beta1": { removedIn: "1.25", kinds: { EndpointSlice: "discovery.k8s.io/v1" } },
  "autoscaling/v2beta1": { removedIn: "1.25", kinds: { HorizontalPodAutoscaler: "autoscaling/v2" } },
  "autoscaling/v2beta2": { removedIn: "1.26", kinds: { HorizontalPodAutoscaler: "autoscaling/v2" } },
};

/** Why `apiVersion` `kind` is no longer served, with what to use instead; undefined if it is. */
export function removedApi(apiVersion: string, kind: string): string | undefined {
  const r = REMOVED[apiVersion];
  const use = r?.kinds[kind];
  if (!r || !use) return undefined;
  return `${apiVersion} ${kind} is no longer served (removed in Kubernetes ${r.removedIn}); use ${use}`;
}

/** Whether the API group is Kubernetes' own (the core group, no dot, or *.k8s.io). */
export function isBuiltInGroup(apiVersion: string): boolean {
  const { group } = groupVersion(apiVersion);
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

export type SchemaVerdict =
  | { status: "valid" }
  | { status: "invalid"; problems: SchemaProblem[] }
  | { status: "unknown-kind"; reason: string }
  | { status: "no-schema" };

const packageDirs = new Map<string, string | null>();

function packageDir(name: string): string | null {
  if (!packageDirs.has(name)) {
    const candidates = require.resolve.paths(name) ?? [];
    const dir = candidates
      .map((c) => path.join(c, name))
      .find((d) => fs.existsSync(path.join(d, "package.json")));
    packageDirs.set(name, dir ?? null);
  }
  return packageDirs.get(name) ?? null;
}

type ModelClass = (new (data: unknown) => { validate(): void }) & { kind?: string; apiVersion?: string };

const models = new Map<string, ModelClass | null>();

function loadModel(file: string, kind: string): ModelClass | null {
  if (!models.has(file)) {
    let model: ModelClass | null = null;
    if (fs.existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as Record<string, unknown>;
      const m = mod[kind] as ModelClass | undefined;
      // Only top-level kinds carry apiVersion/kind; IPBlock or PodSpec are parts of one.
      if (typeof m === "function" && m.kind === kind) model = m;
    }
    models.set(file, model);
  }
  return models.get(file) ?? null;
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function groupDir(pkg: string, group: string): string | null {
  const dir = packageDir(pkg);
  if (!dir) return null;
  const g = path.join(dir, group === "" ? "" : group);
  return group !== "" && !fs.existsSync(g) ? null : g;
}

/** The apiVersions of `group` in which `kind` exists, for the "accepted" part of a message. */
function versionsServing(pkgDir: string, group: string, kind: string): string[] {
  const roots = group === "" ? [pkgDir] : [path.join(pkgDir, group)];
  const out: string[] = [];
  for (const root of roots) {
    for (const v of fs.readdirSync(root)) {
      if (!/^v\d/.test(v)) continue;
      if (fs.existsSync(path.join(root, v, `${kind}.js`))) out.push(group === "" ? v : `${group}/${v}`);
    }
  }
  return out.sort();
}

function dotted(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc === "" ? s : `${acc}.${s}`), "");
}

function describeError(e: ValidationErrorLike): SchemaProblem {
  let field = dotted(e.instancePath ?? "");
  const p = e.params ?? {};
  let reason: string;
  switch (e.keyword) {
    case "required":
      field = field === "" ? String(p.missingProperty) : `${field}.${String(p.missingProperty)}`;
      reason = "is required";
      break;
    case "type":
      reason = `must be ${Array.isArray(p.type) ? p.type.join(" or ") : String(p.type)}`;
      break;
    case "enum":
      reason = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      break;
    default:
      reason = e.message ?? "is invalid";
  }
  return { field, reason };
}

/** Validates `obj` (which has string apiVersion and kind) against its kind's schema. */
export function validateSchema(obj: { apiVersion: string; kind: string }): SchemaVerdict {
  const { group, version } = groupVersion(obj.apiVersion);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(obj.kind)) {
    return {
      status: "unknown-kind",
      reason: `kind ${JSON.stringify(obj.kind)} is not a kind name (e.g. Deployment)`,
    };
  }
  if (
    !/^v\d+((alpha|beta)\d+)?$/.test(version) ||
    (group !== "" && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(group))
  ) {
    return {
      status: "unknown-kind",
      reason: `apiVersion ${JSON.stringify(obj.apiVersion)} is not <group>/<version> (e.g. apps/v1, v1)`,
    };
  }
  const removed = removedApi(obj.apiVersion, obj.kind);
  if (removed) return { status: "unknown-kind", reason: removed };
  const builtIn = isBuiltInGroup(obj.apiVersion);
  const pkg = PACKAGES.find((p) => p.covers(group) && (p.name !== "kubernetes-models" || builtIn));
  if (!pkg) return { status: "no-schema" };
  if (packageDir(pkg.name) === null) {
    // Fail closed: without the schemas nothing could be validated.
    throw new Error(`the schema package ${pkg.name} is not installed (npm ci installs it)`);
  }
  const gdir = groupDir(pkg.name, group);
  if (gdir === null) {
    // A built-in-looking group kubernetes-models does not have: a CRD in a *.k8s.io group
    // (multicluster.x-k8s.io, say). Only structure can be checked.
    return { status: "no-schema" };
  }
  const model = loadModel(path.join(gdir, version, `${obj.kind}.js`), obj.kind);
  if (!model) {
    const served = versionsServing(packageDir(pkg.name) as string, group, obj.kind);
    const accepted = served.length
      ? `accepted apiVersions for ${obj.kind}: ${served.join(", ")}`
      : `the group ${group === "" ? "core (v1)" : group} has no kind ${obj.kind} (kinds are case-sensitive)`;
    return {
      status: "unknown-kind",
      reason: `${obj.apiVersion} does not serve kind ${obj.kind}; ${accepted}`,
    };
  }
  try {
    new model(obj).validate();
  } catch (e) {
    const errors = (e as { errors?: ValidationErrorLike[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) {
      return { status: "invalid", problems: [{ field: "", reason: (e as Error).message }] };
    }
    return { status: "invalid", problems: errors.map(describeError) };
  }
  return { status: "valid" };
}
