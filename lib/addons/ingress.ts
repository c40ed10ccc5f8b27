/**
 * Ingress planning: the controller (F5 NGINX Ingress Controller, community ingress-nginx,
 * or the Kubernetes Gateway API served by Istio), how its pods are labelled (for the
 * intent compiler), and what an app needs to be reachable through it over TLS.
 *
 * Mesh wiring: with Istio on, app pods only accept mTLS (STRICT). The NGINX controllers
 * therefore run with a sidecar, send to the Service's ClusterIP (not pod IPs, which
 * would bypass the sidecar's routing) and keep client traffic out of the sidecar's
 * inbound capture. https://istio.io/latest/docs/ops/common-problems/network-issues/
 */
import { IngressPeer } from "../intent";
import { PlatformConfig } from "../config";
import { ChartKey } from "../charts";
import { K8sObject, platformLabels } from "../k8s-object";
import { injectionLabels } from "./istio";
import { HA_REPLICAS, ONE_AT_A_TIME, isProd, resources } from "./production";

export type IngressControllerKind = PlatformConfig["ingress"]["controller"];

/** Both NGINX controllers use this ServiceAccount, so the controller's mesh identity is fixed. */
export const INGRESS_SERVICE_ACCOUNT = "ingress-controller";
export const NGINX_INGRESS_CLASS = "nginx";
/** The Gateway (gateway-api mode) and its GatewayClass, served by Istio. */
export const GATEWAY_NAME = "platform-gateway";
export const GATEWAY_CLASS = "istio";
/** Secret of the Gateway's HTTPS listener, in the ingress namespace; a cert-manager Certificate fills it. */
export const GATEWAY_TLS_SECRET = "platform-gateway-tls";

export interface IngressChartPlan {
  key: ChartKey;
  namespace: string;
  values: Record<string, unknown>;
}

function meshOn(platform: PlatformConfig): boolean {
  return platform.istio.enabled;
}

/**
 * Sidecar annotations for a controller pod: inject, and intercept no inbound port, so
 * clients (and the API server calling the admission webhook) reach NGINX directly while
 * NGINX's outbound calls to backends go through the sidecar and get mTLS.
 */
function sidecarPodAnnotations(): Record<string, string> {
  return { "traffic.sidecar.istio.io/includeInboundPorts": "" };
}
const SIDECAR_LABEL = { "sidecar.istio.io/inject": "true" };

/** Labels of the controller's namespace: sidecar injection by our revision when the mesh is on. */
export function ingressNamespaceLabels(platform: PlatformConfig): Record<string, string> {
  return meshOn(platform) && platform.ingress.controller !== "gateway-api" ? injectionLabels(platform) : {};
}

/**
 * F5 NGINX Ingress Controller (chart nginx-ingress), with a read-only root filesystem (the
 * chart mounts emptyDirs where NGINX writes); in prod two replicas, a PodDisruptionBudget
 * and limits. https://docs.nginx.com/nginx-ingress-controller/installation/installing-nic/installation-with-helm/
 */
export function nginxIncValues(platform: PlatformConfig): Record<string, unknown> {
  const mesh = meshOn(platform);
  return {
    controller: {
      readOnlyRootFilesystem: true,
      ...(isProd(platform)
        ? {
            replicaCount: HA_REPLICAS,
            podDisruptionBudget: ONE_AT_A_TIME,
            resources: resources("100m", "128Mi", "1", "512Mi"),
            // The init container that copies NGINX's config for the read-only root filesystem.
            initContainerResources: resources("10m", "16Mi", "100m", "64Mi"),
          }
        : {}),
      ingressClass: { name: NGINX_INGRESS_CLASS, create: true, setAsDefaultIngress: false },
      serviceAccount: { name: INGRESS_SERVICE_ACCOUNT },
      service: { type: platform.ingress.serviceType },
      // ConfigMap keys: https://docs.nginx.com/nginx-ingress-controller/configuration/global-configuration/configmap-resource/
      config: { entries: { "ssl-redirect": "true", http2: "true" } },
      pod: mesh ? { annotations: sidecarPodAnnotations(), extraLabels: SIDECAR_LABEL } : {},
    },
  };
}

/** Community ingress-nginx (retired March 2026). https://kubernetes.github.io/ingress-nginx/user-guide/third-party-addons/ */
export function ingressNginxValues(platform: PlatformConfig): Record<string, unknown> {
  const mesh = meshOn(platform);
  return {
    serviceAccount: { create: true, name: INGRESS_SERVICE_ACCOUNT },
    controller: {
      ingressClass: NGINX_INGRESS_CLASS,
      ingressClassResource: { name: NGINX_INGRESS_CLASS, enabled: true, default: false },
      service: { type: platform.ingress.serviceType },
      config: { "ssl-redirect": "true", "use-http2": "true" },
      // The webhook's serving certificate: by default Helm hook Jobs make it, which the v4
      // Chart never runs (the controller would wait for the Secret and the API server
      // distrust the webhook); cert-manager issues it instead and injects the CA bundle.
      admissionWebhooks: { certManager: { enabled: true } },
      ...(mesh ? { podAnnotations: sidecarPodAnnotations(), podLabels: SIDECAR_LABEL } : {}),
    },
  };
}

/** The controller's chart, or null for gateway-api (Istio's Gateway controller deploys the proxy). */
export function ingressChart(platform: PlatformConfig): IngressChartPlan | null {
  const namespace = platform.ingress.namespace;
  switch (platform.ingress.controller) {
    case "nginx-inc":
      return { key: "nginxIngress", namespace, values: nginxIncValues(platform) };
    case "ingress-nginx":
      return { key: "ingressNginx", namespace, values: ingressNginxValues(platform) };
    case "gateway-api":
      return null;
  }
}

/** The ingress class (nginx controllers) or GatewayClass (gateway-api) apps route through. */
export function ingressClassName(platform: PlatformConfig): string {
  return platform.ingress.controller === "gateway-api" ? GATEWAY_CLASS : NGINX_INGRESS_CLASS;
}

/**
 * The controller's pods as the intent compiler selects them. Only labels the charts set
 * independently of the Helm release name (Pulumi derives that from the resource name,
 * which differs per cluster): `app.kubernetes.io/name` is the chart name, and
 * ingress-nginx adds `app.kubernetes.io/component: controller` (its admission jobs carry
 * `admission-webhook`). Istio labels the Deployment it creates for a Gateway with
 * `gateway.networking.k8s.io/gateway-name` and names its ServiceAccount `<gateway>-<class>`.
 */
export function ingressPeer(platform: PlatformConfig): IngressPeer {
  const namespace = platform.ingress.namespace;
  switch (platform.ingress.controller) {
    case "nginx-inc":
      return {
        namespace,
        podLabels: { "app.kubernetes.io/name": "nginx-ingress" },
        serviceAccount: INGRESS_SERVICE_ACCOUNT,
      };
    case "ingress-nginx":
      return {
        namespace,
        podLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" },
        serviceAccount: INGRESS_SERVICE_ACCOUNT,
      };
    case "gateway-api":
      return {
        namespace,
        podLabels: { "gateway.networking.k8s.io/gateway-name": GATEWAY_NAME },
        serviceAccount: `${GATEWAY_NAME}-${GATEWAY_CLASS}`,
      };
  }
}

/**
 * The Gateway (gateway-api mode): HTTPS for the app host, terminating TLS with the
 * certificate cert-manager writes to GATEWAY_TLS_SECRET, routes from any namespace; HTTP
 * accepts routes from its own namespace only (the HTTPS redirect and ACME HTTP-01 solvers).
 * Prerequisite: the Gateway API CRDs (standard channel) are installed on the cluster;
 * neither Istio's charts nor this program install them.
 * https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 */
export function gatewayObjects(platform: PlatformConfig): K8sObject[] {
  const namespace = platform.ingress.namespace;
  const host = platform.app.host;
  const annotations: Record<string, string> =
    platform.ingress.serviceType === "NodePort" ? { "networking.istio.io/service-type": "NodePort" } : {};
  const gateway: K8sObject = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: GATEWAY_NAME, namespace, labels: platformLabels("ingress"), annotations },
    spec: {
      gatewayClassName: GATEWAY_CLASS,
      listeners: [
        {
          name: "https",
          protocol: "HTTPS",
          port: 443,
          hostname: host,
          tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: GATEWAY_TLS_SECRET }] },
          allowedRoutes: { namespaces: { from: "All" } },
        },
        { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
      ],
    },
  };
  const redirect: K8sObject = {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "https-redirect", namespace, labels: platformLabels("ingress") },
    spec: {
      parentRefs: [{ name: GATEWAY_NAME, sectionName: "http" }],
      rules: [
        { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] },
      ],
    },
  };
  return [gateway, redirect];
}

export interface AppIngressArgs {
  platform: PlatformConfig;
  host: string;
  /** The app namespace (where the Ingress or HTTPRoute goes). */
  namespace: string;
  service: string;
  port: number;
  /** Secret cert-manager fills for the Ingress's TLS; gateway-api uses GATEWAY_TLS_SECRET in the ingress namespace. */
  tlsSecretName: string;
  clusterIssuer: string;
}

/**
 * What makes an app reachable over HTTPS: an Ingress (NGINX controllers; cert-manager's
 * ingress-shim issues the certificate from the annotation), or an HTTPRoute plus a
 * Certificate for the Gateway's secret (gateway-api).
 */
export function appIngress(args: AppIngressArgs): K8sObject[] {
  const { platform, host, namespace, service, port } = args;
  const labels = platformLabels("ingress");
  if (platform.ingress.controller === "gateway-api") {
    return [
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: service, namespace, labels },
        spec: {
          parentRefs: [{ name: GATEWAY_NAME, namespace: platform.ingress.namespace, sectionName: "https" }],
          hostnames: [host],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/" } }],
              backendRefs: [{ name: service, port }],
            },
          ],
        },
      },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: GATEWAY_TLS_SECRET, namespace: platform.ingress.namespace, labels },
        spec: {
          secretName: GATEWAY_TLS_SECRET,
          dnsNames: [host],
          issuerRef: { kind: "ClusterIssuer", name: args.clusterIssuer, group: "cert-manager.io" },
        },
      },
    ];
  }
  const mesh = meshOn(platform);
  const annotations: Record<string, string> = { "cert-manager.io/cluster-issuer": args.clusterIssuer };
  if (platform.ingress.controller === "ingress-nginx") {
    annotations["nginx.ingress.kubernetes.io/ssl-redirect"] = "true";
    if (mesh) {
      // Proxy to the ClusterIP with the Service's host name, so the sidecar routes (and mTLS-wraps) it.
      annotations["nginx.ingress.kubernetes.io/service-upstream"] = "true";
      annotations["nginx.ingress.kubernetes.io/upstream-vhost"] = `${service}.${namespace}.svc.cluster.local`;
    }
  } else {
    // F5: ssl-redirect redirects plain HTTP it receives; redirect-to-https also honours
    // X-Forwarded-Proto from a TLS-terminating load balancer in front.
    annotations["ingress.kubernetes.io/ssl-redirect"] = "true";
    annotations["nginx.org/redirect-to-https"] = "true";
    if (mesh) {
      // F5's counterpart of service-upstream: send to the ClusterIP rather than pod endpoints.
      // https://docs.nginx.com/nginx-ingress-controller/tutorials/nginx-ingress-istio/
      annotations["nginx.org/use-cluster-ip"] = "true";
    }
  }
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: service, namespace, labels, annotations },
      spec: {
        ingressClassName: NGINX_INGRESS_CLASS,
        tls: [{ hosts: [host], secretName: args.tlsSecretName }],
        rules: [
          {
            host,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: service, port: { number: port } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}
