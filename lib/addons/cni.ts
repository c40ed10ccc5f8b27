/**
 * CNI planning: which chart, with which values, for one cluster's network plan, plus
 * the two facts other parts of the platform read back (whether NetworkPolicies are
 * enforced, and the kube-proxy configuration bootstrap tooling needs).
 */
import { ChartKey } from "../charts";
import { ClusterConfig, PlatformConfig } from "../config";
import { K8sObject, platformLabels } from "../k8s-object";
import { HUBBLE_DROP_METRIC, alertsEnabled } from "../alerts";
import { SMALL, isProd } from "./production";

export type CniProvider = ClusterConfig["cni"];

export const PROFILE_CONFIGMAP_NAME = "netplat-platform";
export const PROFILE_CONFIGMAP_NAMESPACE = "kube-system";
export const PROFILE_LABEL = "netplat.dev/platform-profile";

export interface CniChartPlan {
  key: ChartKey;
  /** Namespace the chart is installed in. */
  namespace: string;
  /** Whether the add-on creates the namespace (false for kube-system, which always exists). */
  createNamespace: boolean;
  /** Labels of the created namespace: CNI agents run privileged, so Pod Security must allow it. */
  namespaceLabels: Record<string, string>;
  values: Record<string, unknown>;
}

/** Pod Security's restricted level for a container whose pod already sets a non-root user. */
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

const PRIVILEGED = { "pod-security.kubernetes.io/enforce": "privileged" };

/** Flannel only routes; it has no policy engine, so NetworkPolicies are accepted and ignored. */
export function enforcesNetworkPolicy(cni: CniProvider): boolean {
  return cni !== "flannel";
}

function isIpv6(cidr: string): boolean {
  return cidr.includes(":");
}

/**
 * tigera-operator: its `installation` values become the operator's Installation resource.
 * The dataplane follows kube-proxy: Calico's nftables dataplane expects kube-proxy in
 * nftables mode, and the iptables dataplane works beside kube-proxy iptables or ipvs.
 * https://docs.tigera.io/calico/latest/reference/installation/api#caliconetworkspec
 */
export function calicoValues(cluster: ClusterConfig): Record<string, unknown> {
  const v6 = isIpv6(cluster.podCidr);
  const values: Record<string, unknown> = {
    installation: {
      enabled: true,
      cni: { type: "Calico" },
      calicoNetwork: {
        linuxDataplane: cluster.kubeProxyMode === "nftables" ? "Nftables" : "Iptables",
        ipPools: [
          {
            name: v6 ? "default-ipv6-ippool" : "default-ipv4-ippool",
            cidr: cluster.podCidr,
            blockSize: v6 ? 122 : 26,
            encapsulation: "VXLANCrossSubnet",
            natOutgoing: "Enabled",
            nodeSelector: "all()",
          },
        ],
      },
    },
  };
  if (cluster.apiServer) {
    // Lets calico-node reach the API server directly rather than through the `kubernetes` ClusterIP.
    values.kubernetesServiceEndpoint = { host: cluster.apiServer.host, port: String(cluster.apiServer.port) };
  }
  return values;
}

/**
 * cilium: cluster-pool IPAM over the cluster's pod range; kube-proxy replacement when
 * the cluster runs without kube-proxy, which needs the API server address because the
 * `kubernetes` Service's ClusterIP only works once Cilium itself is up.
 * https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/
 */
export function ciliumValues(cluster: ClusterConfig, platform: PlatformConfig): Record<string, unknown> {
  const kpr = cluster.kubeProxyMode === "kube-proxy-replacement";
  const v6 = isIpv6(cluster.podCidr);
  const hubble = platform.observability.enabled && platform.observability.hubble;
  const values: Record<string, unknown> = {
    ipam: {
      mode: "cluster-pool",
      operator: v6
        ? { clusterPoolIPv6PodCIDRList: [cluster.podCidr], clusterPoolIPv6MaskSize: 120 }
        : { clusterPoolIPv4PodCIDRList: [cluster.podCidr], clusterPoolIPv4MaskSize: 24 },
    },
    ipv4: { enabled: !v6 },
    ipv6: { enabled: v6 },
    kubeProxyReplacement: kpr,
    // The agent's metrics (cilium_drop_count_total...) for the policy-drop alert (lib/alerts.ts),
    // scraped through the PodMonitor it creates.
    ...(alertsEnabled(platform) ? { prometheus: { enabled: true } } : {}),
    hubble: {
      enabled: true,
      ...(alertsEnabled(platform) && hubble ? { metrics: { enabled: [HUBBLE_DROP_METRIC] } } : {}),
      // Hubble's mTLS certificates (agents <-> relay) from Cilium's certgen Job in the
      // cluster, not from Helm: the chart's default (`helm`) generates a CA and keys at
      // random on every render (and looks the old ones up), so no two renders or `up`s
      // agree and the keys would land in rendered files and state. cert-manager's method
      // cannot serve here: its Certificates are part of the CNI chart, which is installed
      // before cert-manager (whose pods need the CNI), and prod's issuer is ACME, which
      // cannot sign Hubble's internal names. The keys never leave the cluster.
      tls: { auto: { method: "cronJob" } },
      relay: { enabled: hubble },
      // The chart runs hubble-ui as user 1001 (pod context) but leaves out the rest of Pod
      // Security's restricted level, which each container's context adds.
      ui: {
        enabled: hubble,
        frontend: { securityContext: RESTRICTED },
        backend: { securityContext: RESTRICTED },
      },
    },
  };
  if (isProd(platform)) values.certgen = { resources: SMALL };
  if (kpr) {
    if (!cluster.apiServer) {
      throw new Error(
        `cluster ${cluster.name}: kube-proxy-replacement needs apiServer (host and port nodes reach)`,
      );
    }
    values.k8sServiceHost = cluster.apiServer.host;
    values.k8sServicePort = cluster.apiServer.port;
    if (platform.istio.enabled) {
      // Socket-level load balancing would translate ClusterIPs before the sidecar sees them,
      // bypassing Istio's routing and mTLS; keep it to the host namespace.
      // https://docs.cilium.io/en/stable/network/servicemesh/istio/
      values.socketLB = { hostNamespaceOnly: true };
    }
  }
  return values;
}

/** flannel: the pod range it hands out per node; its nftables backend follows kube-proxy's mode. */
export function flannelValues(cluster: ClusterConfig): Record<string, unknown> {
  const v6 = isIpv6(cluster.podCidr);
  return {
    podCidr: v6 ? "" : cluster.podCidr,
    podCidrv6: v6 ? cluster.podCidr : "",
    flannel: { enableNFTables: cluster.kubeProxyMode === "nftables" },
  };
}

/** The CNI chart of one cluster, with its namespace and values. */
export function cniChart(cluster: ClusterConfig, platform: PlatformConfig): CniChartPlan {
  switch (cluster.cni) {
    case "calico":
      return {
        key: "tigeraOperator",
        namespace: "tigera-operator",
        createNamespace: true,
        namespaceLabels: PRIVILEGED,
        values: calicoValues(cluster),
      };
    case "cilium":
      return {
        key: "cilium",
        namespace: "kube-system",
        createNamespace: false,
        namespaceLabels: {},
        values: ciliumValues(cluster, platform),
      };
    case "flannel":
      return {
        key: "flannel",
        namespace: "kube-flannel",
        createNamespace: true,
        namespaceLabels: PRIVILEGED,
        values: flannelValues(cluster),
      };
  }
}

/** kube-proxy's own configuration file (kubeadm / Cluster API take it at bootstrap). */
export interface KubeProxyConfiguration {
  apiVersion: "kubeproxy.config.k8s.io/v1alpha1";
  kind: "KubeProxyConfiguration";
  mode: "iptables" | "ipvs" | "nftables";
  clusterCIDR: string;
  ipvs?: { scheduler: string; strictARP: boolean };
}

/**
 * The kube-proxy configuration for bootstrap tooling, or null when Cilium replaces
 * kube-proxy (the cluster is then bootstrapped without it: kubeadm --skip-phases=addon/kube-proxy).
 * https://kubernetes.io/docs/reference/config-api/kube-proxy-config.v1alpha1/
 */
export function kubeProxyConfiguration(cluster: ClusterConfig): KubeProxyConfiguration | null {
  if (cluster.kubeProxyMode === "kube-proxy-replacement") return null;
  const config: KubeProxyConfiguration = {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: cluster.kubeProxyMode,
    clusterCIDR: cluster.podCidr,
  };
  if (cluster.kubeProxyMode === "ipvs") {
    // Round robin is kube-proxy's default; strictARP keeps nodes from answering ARP for
    // every Service VIP on kube-ipvs0, which L2 load balancers (MetalLB) require.
    config.ipvs = { scheduler: "rr", strictARP: true };
  }
  return config;
}

/**
 * The platform profile the policy pack reads (policy-pack/lib/platform.ts): which CNI,
 * kube-proxy mode, whether NetworkPolicies are enforced and Istio is installed, and the
 * Services the cluster runs in all when the stack says (`clusters[].expectedServiceCount`).
 */
export function platformProfileConfigMap(cluster: ClusterConfig, platform: PlatformConfig): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: PROFILE_CONFIGMAP_NAME,
      namespace: PROFILE_CONFIGMAP_NAMESPACE,
      labels: platformLabels("platform-profile", { [PROFILE_LABEL]: "true" }),
    },
    data: {
      cni: cluster.cni,
      kubeProxyMode: cluster.kubeProxyMode,
      networkPolicyEnforced: String(enforcesNetworkPolicy(cluster.cni)),
      istio: String(platform.istio.enabled),
      istioRootNamespace: platform.istio.rootNamespace,
      cluster: cluster.name,
      ...(cluster.expectedServiceCount !== undefined
        ? { expectedServiceCount: String(cluster.expectedServiceCount) }
        : {}),
    },
  };
}
