/**
 * Plain Kubernetes manifest shapes, and the mapping between a manifest's
 * apiVersion/kind and the Pulumi type token of the resource that carries it.
 *
 * Every rule of the pack reads a `K8sManifest`, never Pulumi-specific props, so the
 * same rule code serves `pulumi preview/up` (CrossGuard) and plain YAML
 * (`npm run policy:check`).
 */

import type { K8sManifest, LabelSelector, ObjectMeta, StringMap } from "../manifests/types";
import { isRecord } from "../manifests/types";

// The object shapes are shared with the reachability analyser and the loader.
export type {
  K8sManifest,
  LabelSelector,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  ObjectMeta,
  StringMap,
} from "../manifests/types";
export { isRecord };

export interface Capabilities {
  add?: string[];
  drop?: string[];
}

/** `seccompProfile` / `appArmorProfile`: a type, and a localhostProfile for type Localhost. */
export interface SecurityProfile {
  type?: string;
  localhostProfile?: string;
}

export interface SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

/** The fields pod- and container-level security contexts share. */
export interface CommonSecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: SecurityProfile | null;
  appArmorProfile?: SecurityProfile | null;
  seLinuxOptions?: SELinuxOptions | null;
  windowsOptions?: { hostProcess?: boolean } | null;
}

export interface SecurityContext extends CommonSecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: Capabilities | null;
  procMount?: string | null;
}

export interface PodSecurityContext extends CommonSecurityContext {
  sysctls?: Array<{ name?: string; value?: string }>;
}

/** A probe or lifecycle handler: only the parts that can point at a host. */
export interface Handler {
  httpGet?: { host?: string } | null;
  tcpSocket?: { host?: string } | null;
}

export interface ResourceRequirements {
  requests?: StringMap;
  limits?: StringMap;
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
}

export interface Container {
  name?: string;
  image?: string;
  ports?: ContainerPort[];
  securityContext?: SecurityContext | null;
  resources?: ResourceRequirements;
  livenessProbe?: Record<string, unknown> & Handler;
  readinessProbe?: Record<string, unknown> & Handler;
  startupProbe?: Record<string, unknown> & Handler;
  lifecycle?: { postStart?: Handler | null; preStop?: Handler | null } | null;
  restartPolicy?: string;
}

export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: PodSecurityContext | null;
  os?: { name?: string } | null;
  /** Volume name plus one volume source (hostPath, configMap, ...). */
  volumes?: Array<Record<string, unknown>>;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
}

export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface IPBlock {
  cidr?: string;
  except?: string[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

/**
 * Pulumi resource types whose props are not a Kubernetes object (Helm charts, YAML
 * groups, kustomizations): the converter ignores them.
 */
const NON_OBJECT_GROUPS = ["helm.sh/", "yaml/", "kustomize/"];

/** `kubernetes:apps/v1:Deployment` for apiVersion `apps/v1`, kind `Deployment`; `core/v1` for `v1`. */
export function typeTokenFor(apiVersion: string, kind: string): string {
  const gv = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return `kubernetes:${gv}:${kind}`;
}

/** The apiVersion and kind a Pulumi Kubernetes type token stands for, or undefined. */
export function parseTypeToken(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+\/[^:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m) return undefined;
  const gv = m[1];
  if (NON_OBJECT_GROUPS.some((g) => gv.startsWith(g))) return undefined;
  return { apiVersion: gv.startsWith("core/") ? gv.slice("core/".length) : gv, kind: m[2] };
}

/**
 * The sentinel strings @pulumi/policy's deserializer puts where a value is unknown
 * during preview (see node_modules/@pulumi/policy/proxy.js). The props proxy throws
 * when one is read; the converter reads the proxy's target instead and drops them.
 */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

const PROXY_TARGET = "__getSpecialProxyTarget";
const IS_PROXY = "__isSpecialProxy";

/** The plain object behind a policy props proxy (its nested values are plain too). */
export function rawOf(v: unknown): unknown {
  return unwrapProxy(v);
}

function unwrapProxy(v: unknown): unknown {
  if (typeof v === "object" && v !== null) {
    const rec = v as Record<string, unknown>;
    if (rec[IS_PROXY] === true) return rec[PROXY_TARGET];
  }
  return v;
}

/** A deep, plain copy of `v`, without preview unknowns; their paths are pushed to `unknown`. */
export function plainCopy(v: unknown, path: string, unknown: string[]): unknown {
  const raw = unwrapProxy(v);
  if (typeof raw === "string" && UNKNOWN_SENTINELS.has(raw)) {
    unknown.push(path || ".");
    return undefined;
  }
  if (Array.isArray(raw)) return raw.map((x, i) => plainCopy(x, `${path}[${i}]`, unknown));
  if (typeof raw === "object" && raw !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(raw)) {
      const c = plainCopy(x, `${path}.${k}`, unknown);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return raw;
}

export interface ConvertedManifest {
  manifest: K8sManifest;
  /** Property paths that were unknown (preview); the rules saw them as absent. */
  unknownPaths: string[];
}

/**
 * Turns a Pulumi resource (type token + input props) into a plain manifest. Returns
 * undefined for anything that is not a Kubernetes object. A missing metadata.name
 * (auto-naming) falls back to the Pulumi resource name.
 */
export function toManifest(
  type: string,
  props: Record<string, unknown>,
  resourceName?: string,
): ConvertedManifest | undefined {
  if (!parseTypeToken(type)) return undefined;
  const unknownPaths: string[] = [];
  const copy = (plainCopy(props, "", unknownPaths) ?? {}) as Record<string, unknown>;
  return manifestFromPlain(type, copy, resourceName, unknownPaths);
}

/**
 * {@link toManifest} of props already copied with {@link plainCopy} (and the unknown
 * paths that copy found): the manifest shares the copy's nested values, metadata apart.
 */
export function manifestFromPlain(
  type: string,
  copy: Record<string, unknown>,
  resourceName: string | undefined,
  unknownPaths: string[],
): ConvertedManifest | undefined {
  const gvk = parseTypeToken(type);
  if (!gvk) return undefined;
  const metadata = {
    ...(typeof copy.metadata === "object" && copy.metadata !== null ? copy.metadata : {}),
  } as ObjectMeta;
  if (metadata.name === undefined && resourceName !== undefined) metadata.name = resourceName;
  const manifest: K8sManifest = { ...copy, apiVersion: gvk.apiVersion, kind: gvk.kind, metadata };
  return { manifest, unknownPaths };
}

/** `kind namespace/name` (or `kind name` when cluster-scoped / no namespace), for messages. */
export function describe(m: K8sManifest): string {
  const ns = m.metadata.namespace;
  return `${m.kind} ${ns ? `${ns}/` : ""}${m.metadata.name ?? "(unnamed)"}`;
}

/** Kinds that have no namespace (the ones this pack may meet). */
export const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "GatewayClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ClusterIssuer",
  "APIService",
]);
