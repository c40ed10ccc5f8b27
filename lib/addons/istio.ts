/**
 * Istio planning: base (CRDs, cluster roles), istiod at a revision, an optional ingress
 * gateway, and mesh-wide mTLS. Injection is revision-based so that a canary upgrade can
 * install a second istiod revision and move namespaces over one at a time.
 */
import { ClusterConfig, PlatformConfig } from "../config";
import { K8sObject, platformLabels } from "../k8s-object";
import { JAEGER_OTLP, tracingEnabled } from "./observability";
import { HA_REPLICAS, isProd, resources } from "./production";
import { outboundTrafficMeshConfig } from "./istio-egress";

export const ISTIO_INGRESS_NAMESPACE = "istio-ingress";
/** Fixed name of the gateway Deployment/Service (the gateway chart's `name`), whatever the release name. */
export const ISTIO_INGRESS_GATEWAY_NAME = "istio-ingressgateway";
export const MESH_ID = "netplat";

/**
 * Labels for an app namespace to get sidecars from this platform's istiod revision.
 * Not `istio-injection=enabled`: that label always means the `default` revision (and wins
 * over `istio.io/rev` when both are set), so namespaces could not be moved to a canary.
 * https://istio.io/latest/docs/setup/upgrade/canary/#data-plane
 */
export function injectionLabels(platform: PlatformConfig): Record<string, string> {
  return { "istio.io/rev": platform.istio.revision };
}

/** base chart: CRDs and the default validating webhook, pointed at our revision's istiod. */
export function istioBaseValues(platform: PlatformConfig): Record<string, unknown> {
  return {
    global: { istioNamespace: platform.istio.rootNamespace },
    defaultRevision: platform.istio.revision,
  };
}

/**
 * The Istio network a cluster is on. Submariner without Globalnet routes pod addresses
 * between clusters, which is Istio's "same network"; with Globalnet pod addresses
 * overlap, so each cluster is its own network.
 */
export function istioNetwork(cluster: ClusterConfig, platform: PlatformConfig): string {
  return platform.submariner?.globalnet ? `${cluster.name}-network` : `${MESH_ID}-network`;
}

export function istiodValues(cluster: ClusterConfig, platform: PlatformConfig): Record<string, unknown> {
  const multiCluster = platform.clusters.length > 1;
  const meshConfig: Record<string, unknown> = {
    trustDomain: platform.istio.trustDomain,
    // Apps start only once their sidecar is ready, so their first outbound calls are not refused.
    defaultConfig: { holdApplicationUntilProxyStarts: true },
    enablePrometheusMerge: true,
    // outboundTrafficPolicy (egress by name, ./istio-egress.ts).
    ...outboundTrafficMeshConfig(platform),
  };
  if (tracingEnabled(platform)) {
    meshConfig.extensionProviders = [{ name: "jaeger", opentelemetry: JAEGER_OTLP }];
    meshConfig.defaultProviders = { tracing: ["jaeger"] };
  }
  return {
    revision: platform.istio.revision,
    // The chart already drops every capability and runs istiod as non-root; the seccomp
    // profile is the one thing Pod Security's restricted level still needs.
    seccompProfile: { type: "RuntimeDefault" },
    // prod: at least two istiod (the HPA's floor too), so the chart's PodDisruptionBudget
    // (minAvailable 1) lets a node drain; the chart's requests plus limits.
    ...(isProd(platform)
      ? {
          replicaCount: HA_REPLICAS,
          autoscaleMin: HA_REPLICAS,
          resources: resources("500m", "2048Mi", "2", "4Gi"),
        }
      : {}),
    global: {
      istioNamespace: platform.istio.rootNamespace,
      ...(multiCluster
        ? {
            meshID: MESH_ID,
            multiCluster: { clusterName: cluster.name },
            network: istioNetwork(cluster, platform),
          }
        : {}),
    },
    meshConfig,
  };
}

/** gateway chart: fixed name (the Service the policy pack allow-lists), our revision, the stack's Service type. */
export function istioGatewayValues(platform: PlatformConfig): Record<string, unknown> {
  return {
    name: ISTIO_INGRESS_GATEWAY_NAME,
    revision: platform.istio.revision,
    service: { type: platform.ingress.serviceType },
  };
}

/** Mesh-wide PeerAuthentication: named `default` in the root namespace, no selector. */
export function meshPeerAuthentication(platform: PlatformConfig): K8sObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace: platform.istio.rootNamespace, labels: platformLabels("istio") },
    spec: { mtls: { mode: platform.istio.mtlsMode } },
  };
}
