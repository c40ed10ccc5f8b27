/**
 * Platform facts of one cluster: which CNI, kube-proxy mode, whether Istio is
 * installed. Read from the `netplat-platform` ConfigMap the program publishes, or,
 * without it, detected from the resources (Helm charts, well-known DaemonSets).
 */
import type { K8sManifest } from "./resource-manifest";
import { isRecord } from "./resource-manifest";
import type { ManifestObject, StackObject } from "./stack-object";

export const PROFILE_CONFIGMAP_NAME = "netplat-platform";
export const PROFILE_CONFIGMAP_NAMESPACE = "kube-system";
export const PROFILE_LABEL = "netplat.dev/platform-profile";

export type CniName = "calico" | "cilium" | "flannel";

/**
 * istiod's Deployment: `istiod`, or `istiod-<revision>` when the chart installs a
 * revision (canary upgrades), as every stack of this platform does.
 */
export function isIstiodDeployment(m: K8sManifest | undefined): boolean {
  const name = m?.metadata?.name;
  return (
    m?.kind === "Deployment" && typeof name === "string" && (name === "istiod" || name.startsWith("istiod-"))
  );
}

export interface PlatformFacts {
  source: "profile" | "detected";
  /** CNIs present (Canal would be calico + flannel). Empty when unknown. */
  cnis: CniName[];
  /** iptables | ipvs | nftables | kube-proxy-replacement; undefined when unknown. */
  kubeProxyMode?: string;
  /** Whether NetworkPolicies are enforced; undefined when it cannot be told. */
  networkPolicyEnforced?: boolean;
  istio: boolean;
  istioRootNamespace: string;
  cluster: string;
  /** Optional profile key `expectedServiceCount`: Services the cluster runs, this stack's or not. */
  expectedServiceCount?: number;
  /** The profile ConfigMap, when present. */
  profile?: ManifestObject;
}

export function isProfileConfigMap(m: K8sManifest): boolean {
  return (
    m.kind === "ConfigMap" &&
    m.metadata.name === PROFILE_CONFIGMAP_NAME &&
    m.metadata.labels?.[PROFILE_LABEL] === "true"
  );
}

/** Last path segment of a chart reference: `oci://ghcr.io/nginx/charts/nginx-ingress` -> `nginx-ingress`. */
function chartBase(chart: unknown): string | undefined {
  if (typeof chart !== "string") return undefined;
  const parts = chart.replace(/\/+$/, "").split("/");
  return parts[parts.length - 1].replace(/-\d+(\.\d+)*.*\.tgz$/, "");
}

const CNI_BY_CHART: Record<string, CniName> = {
  cilium: "cilium",
  "tigera-operator": "calico",
  flannel: "flannel",
};
const CNI_BY_DAEMONSET: Record<string, CniName> = {
  "calico-node": "calico",
  cilium: "cilium",
  "kube-flannel-ds": "flannel",
};

function enforcedBy(cnis: CniName[]): boolean | undefined {
  if (cnis.includes("calico") || cnis.includes("cilium")) return true;
  if (cnis.includes("flannel")) return false;
  return undefined;
}

export function detectPlatform(
  key: string,
  objects: StackObject[],
  manifests: ManifestObject[],
): PlatformFacts {
  const profile = manifests.find((o) => isProfileConfigMap(o.manifest));
  if (profile) {
    const d = profile.manifest.data ?? {};
    const cni = (d.cni ?? "").trim().toLowerCase();
    const cnis = (["calico", "cilium", "flannel"] as CniName[]).filter((c) => c === cni);
    const count = Number(d.expectedServiceCount);
    return {
      source: "profile",
      cnis,
      kubeProxyMode: d.kubeProxyMode || undefined,
      networkPolicyEnforced:
        d.networkPolicyEnforced === "true"
          ? true
          : d.networkPolicyEnforced === "false"
            ? false
            : enforcedBy(cnis),
      istio: d.istio === "true",
      istioRootNamespace: d.istioRootNamespace || "istio-system",
      cluster: d.cluster || key,
      expectedServiceCount: Number.isFinite(count) && count > 0 ? count : undefined,
      profile,
    };
  }
  const cnis = new Set<CniName>();
  let istio = false;
  let kubeProxyMode: string | undefined;
  for (const o of objects) {
    if (/^kubernetes:helm\.sh\/v\d:(Chart|Release)$/.test(o.type)) {
      const base = chartBase(o.props.chart);
      if (base && CNI_BY_CHART[base]) cnis.add(CNI_BY_CHART[base]);
      if (base === "istiod") istio = true;
      const values = isRecord(o.props.values) ? o.props.values : {};
      if (
        base === "cilium" &&
        (values.kubeProxyReplacement === true || values.kubeProxyReplacement === "true")
      ) {
        kubeProxyMode = "kube-proxy-replacement";
      }
    }
    const m = o.manifest;
    if (m?.kind === "DaemonSet" && m.metadata.name && CNI_BY_DAEMONSET[m.metadata.name]) {
      cnis.add(CNI_BY_DAEMONSET[m.metadata.name]);
    }
    if (m?.kind === "Installation" && m.apiVersion.startsWith("operator.tigera.io/")) cnis.add("calico");
    if (isIstiodDeployment(m)) istio = true;
  }
  const list = [...cnis];
  return {
    source: "detected",
    cnis: list,
    kubeProxyMode,
    networkPolicyEnforced: enforcedBy(list),
    istio,
    istioRootNamespace: "istio-system",
    cluster: key,
  };
}

/** Config of a rule that looks in the Istio root namespace: an override of the namespace. */
export interface IstioRootNamespaceConfig {
  /** Overrides the root namespace (otherwise the platform profile's istioRootNamespace, else istio-system). */
  rootNamespace: string;
}

/** The config schema of `IstioRootNamespaceConfig`, for `stackRule`'s `config`. */
export const ISTIO_ROOT_NAMESPACE_CONFIG = {
  rootNamespace: {
    type: "string",
    default: "",
    description: "Istio root namespace; empty means the platform profile's, else istio-system.",
  },
} as const;

/** The Istio root namespace a rule judges in a cluster: the config's override, else the profile's. */
export function istioRootNamespace(config: IstioRootNamespaceConfig, platform: PlatformFacts): string {
  return config.rootNamespace || platform.istioRootNamespace;
}
