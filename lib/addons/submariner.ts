/**
 * Submariner planning: the broker (on one cluster) and each cluster's join (the
 * operator chart), Globalnet ranges, and the ServiceExport an app uses to publish a
 * Service to the other clusters.
 *
 * Gateway nodes: the operator runs the gateway engine only on nodes labelled
 * `submariner.io/gateway=true`; the chart has no value to change that selector, so
 * label the nodes (cluster.gatewayNodeSelector documents which) at provisioning time.
 */
import * as ipaddr from "ipaddr.js";
import { ClusterConfig, PlatformConfig } from "../config";
import { parseCidr } from "../cidr";
import { K8sObject, platformLabels } from "../k8s-object";

export const BROKER_NAMESPACE = "submariner-k8s-broker";
export const OPERATOR_NAMESPACE = "submariner-operator";
/** ServiceAccount joining clusters authenticate to the broker as (set explicitly, not release-derived). */
export const BROKER_CLIENT_SERVICE_ACCOUNT = "submariner-k8s-broker-client";
/** The token Secret this platform creates for that ServiceAccount (the API server fills it). */
export const BROKER_TOKEN_SECRET = "submariner-k8s-broker-join-token";
export const GATEWAY_NODE_LABEL = { "submariner.io/gateway": "true" };
const GLOBAL_PREFIX = 16;

/** What a joining cluster needs from the broker. Token, CA and PSK are secrets. */
export interface BrokerConnection<S = string> {
  /** The broker cluster's API server, `host:port`. */
  server: string;
  namespace: string;
  /** A token of the broker client ServiceAccount (decoded, as Submariner expects). */
  token: S;
  /** The broker API server's CA, base64-encoded PEM (as the token Secret's `ca.crt` holds it). */
  ca: S;
}

export function brokerValues(): Record<string, unknown> {
  return { serviceAccounts: { client: { create: false, name: BROKER_CLIENT_SERVICE_ACCOUNT } } };
}

/**
 * The operator chart's ServiceAccounts, by values key, at the names the chart's own
 * objects use: the operator Deployment runs as the chart's full name (the release name
 * when it contains the chart's, as ours do), the operator deploys the gateway, route
 * agent, Globalnet and Lighthouse under the fixed names.
 *
 * The program creates them, not the charts (`create: false` in the values). With
 * `create: true` each chart also writes a legacy `kubernetes.io/service-account-token`
 * Secret beside its ServiceAccount, and a Chart resource creates both at once: when the
 * Secret lands first, the token controller deletes it (its ServiceAccount does not
 * exist), and the Kubernetes provider 4.25 awaiting that Secret panics (nil object in
 * Create; seen on every multi-cluster up against a local cluster). Pods use projected
 * tokens since Kubernetes 1.24, so nothing needs those Secrets; the one token the
 * platform does need (the broker client's) is created after its ServiceAccount.
 */
export function operatorServiceAccounts(release: string): Record<string, string> {
  const chartName = "submariner-operator";
  const fullname = (release.includes(chartName) ? release : `${release}-${chartName}`)
    .slice(0, 63)
    .replace(/-+$/, "");
  return {
    operator: fullname,
    gateway: "submariner-gateway",
    routeAgent: "submariner-routeagent",
    globalnet: "submariner-globalnet",
    lighthouseAgent: "submariner-lighthouse-agent",
    lighthouseCoreDns: "submariner-lighthouse-coredns",
  };
}

/** The ServiceAccount objects the program creates in place of the charts' (see above). */
export function chartServiceAccounts(chart: "broker" | { operatorRelease: string }): K8sObject[] {
  const [namespace, names] =
    chart === "broker"
      ? [BROKER_NAMESPACE, [BROKER_CLIENT_SERVICE_ACCOUNT]]
      : [OPERATOR_NAMESPACE, Object.values(operatorServiceAccounts(chart.operatorRelease))];
  return names.map((name) => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace, labels: platformLabels("submariner") },
  }));
}

/** The broker's API server address as the other clusters reach it. */
export function brokerServer(cluster: ClusterConfig): string {
  if (!cluster.apiServer) {
    throw new Error(
      `cluster ${cluster.name} is the Submariner broker: set clusters[].apiServer (the API server host and port the other clusters reach)`,
    );
  }
  return `${cluster.apiServer.host}:${cluster.apiServer.port}`;
}

/** A `kubernetes.io/service-account-token` Secret; the token controller fills token and ca.crt. */
export function brokerTokenSecret(): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: {
      name: BROKER_TOKEN_SECRET,
      namespace: BROKER_NAMESPACE,
      labels: platformLabels("submariner"),
      annotations: {
        "kubernetes.io/service-account.name": BROKER_CLIENT_SERVICE_ACCOUNT,
        // Await the token controller (the provider's own await gives it 5 s, too short on a
        // busy control plane), with the provider's default 10-minute timeout.
        "pulumi.com/waitFor": "jsonpath={.data.token}",
      },
    },
  };
}

/**
 * The cluster's Globalnet range: `clusters[i].globalCidr` when set, else the i-th /16 of
 * `submariner.globalCidrRange` (242.0.0.0/8 gives 242.0.0.0/16, 242.1.0.0/16, ...).
 * Deterministic by index, so adding a cluster at the end never moves existing ones.
 */
export function globalCidrFor(platform: PlatformConfig, clusterIndex: number): string {
  const cluster = platform.clusters[clusterIndex];
  if (!cluster) throw new Error(`no cluster at index ${clusterIndex}`);
  if (cluster.globalCidr) return cluster.globalCidr;
  const range = platform.submariner?.globalCidrRange ?? "242.0.0.0/8";
  const parsed = parseCidr(range);
  const [, bits] = ipaddr.parseCIDR(range);
  if (parsed.family !== "ipv4")
    throw new Error(`submariner.globalCidrRange ${range}: Globalnet is IPv4 only`);
  if (bits > GLOBAL_PREFIX) {
    throw new Error(
      `submariner.globalCidrRange ${range}: needs a prefix of /${GLOBAL_PREFIX} or shorter to carve /${GLOBAL_PREFIX}s`,
    );
  }
  const slots = 1n << BigInt(GLOBAL_PREFIX - bits);
  if (BigInt(clusterIndex) >= slots) {
    throw new Error(
      `submariner.globalCidrRange ${range} has room for ${slots} clusters; cluster index ${clusterIndex} does not fit`,
    );
  }
  const first = parsed.first + (BigInt(clusterIndex) << BigInt(32 - GLOBAL_PREFIX));
  const bytes = [24, 16, 8, 0].map((s) => Number((first >> BigInt(s)) & 0xffn));
  return `${ipaddr.fromByteArray(bytes).toString()}/${GLOBAL_PREFIX}`;
}

export interface JoinOptions {
  /** NAT traversal between gateways (clusters reach each other through public IPs); default true, as subctl join. */
  natEnabled?: boolean;
  /** The operator chart's Helm release name (its ServiceAccount is named after it). */
  release?: string;
}

/** submariner-operator values for one cluster. S is string in tests, a Pulumi Output in the component. */
export function operatorValues<S>(
  platform: PlatformConfig,
  clusterIndex: number,
  broker: BrokerConnection<S>,
  ipsecPsk: S | undefined,
  opts: JoinOptions = {},
): Record<string, unknown> {
  const cluster = platform.clusters[clusterIndex];
  const sm = platform.submariner;
  if (!sm) throw new Error("submariner: not configured");
  const globalnet = sm.globalnet;
  return {
    broker: {
      server: broker.server,
      token: broker.token,
      ca: broker.ca,
      namespace: broker.namespace,
      insecure: false,
      globalnet,
    },
    submariner: {
      clusterId: cluster.name,
      clusterCidr: cluster.podCidr,
      serviceCidr: cluster.serviceCidr,
      globalCidr: globalnet ? globalCidrFor(platform, clusterIndex) : "",
      natEnabled: opts.natEnabled ?? true,
      cableDriver: sm.cableDriver,
      serviceDiscovery: true,
    },
    serviceAccounts: Object.fromEntries(
      Object.entries(operatorServiceAccounts(opts.release ?? "submariner-operator")).map(([key, name]) => [
        key,
        { create: false, name },
      ]),
    ),
    ...(ipsecPsk !== undefined ? { ipsec: { psk: ipsecPsk } } : {}),
  };
}

/** Publishes a Service to the other clusters (Lighthouse: `<svc>.<ns>.svc.clusterset.local`). */
export function serviceExport(name: string, namespace: string): K8sObject {
  return {
    apiVersion: "multicluster.x-k8s.io/v1alpha1",
    kind: "ServiceExport",
    metadata: { name, namespace, labels: platformLabels("submariner") },
  };
}
