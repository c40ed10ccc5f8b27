/**
 * cert-manager planning: the release (chart source from the stack's `charts.certManager`)
 * and the ClusterIssuers the stack uses: a self-signed CA for dev, or one Let's Encrypt
 * issuer solving HTTP-01 through the platform's ingress.
 */
import { chartSource } from "../charts";
import { PlatformConfig } from "../config";
import { K8sObject, platformLabels } from "../k8s-object";
import { GATEWAY_NAME, NGINX_INGRESS_CLASS } from "./ingress";
import { HA_REPLICAS, MEDIUM, ONE_AT_A_TIME, SMALL, isProd } from "./production";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const ACME_SERVERS = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export const SELFSIGNED_ISSUER = "selfsigned";
export const PLATFORM_CA = "platform-ca";
/** Label on ACME HTTP-01 solver pods, so NetworkPolicies can let the ingress reach them. */
export const ACME_SOLVER_LABEL = { "netplat.dev/acme-solver": "true" };

/** The ClusterIssuer apps reference (`cert-manager.io/cluster-issuer`). */
export function clusterIssuerName(platform: PlatformConfig): string {
  return platform.certificates.issuer === "selfsigned" ? PLATFORM_CA : platform.certificates.issuer;
}

/**
 * Helm values for the release: CRDs with the chart, Gateway API support when routes are
 * Gateway API; in prod, two replicas of the controller, webhook and CA injector (all
 * three elect a leader or serve statelessly) with a PodDisruptionBudget, and resources.
 */
export function certManagerValues(platform: PlatformConfig): Record<string, unknown> {
  const values: Record<string, unknown> = {
    crds: { enabled: true, keep: true },
    // The chart's post-install check is a Helm hook Job, which the v4 Chart never runs: off
    // by name, so nobody reads the values and expects it. Readiness is the provider's wait
    // on the three Deployments instead.
    startupapicheck: { enabled: false },
  };
  if (isProd(platform)) {
    const ha = { replicaCount: HA_REPLICAS, podDisruptionBudget: ONE_AT_A_TIME };
    Object.assign(values, {
      ...ha,
      resources: MEDIUM,
      webhook: { ...ha, resources: SMALL },
      cainjector: { ...ha, resources: MEDIUM },
    });
  }
  if (platform.ingress.controller === "gateway-api") {
    // The gatewayHTTPRoute solver is off unless the controller is told to watch Gateway API.
    // https://cert-manager.io/docs/usage/gateway/
    values.config = {
      apiVersion: "controller.config.cert-manager.io/v1alpha1",
      kind: "ControllerConfiguration",
      enableGatewayAPI: true,
    };
  }
  return values;
}

export interface CertManagerRelease {
  chart: string;
  version?: string;
  repositoryOpts?: { repo: string };
  namespace: string;
}

/** Chart, version and repository of the cert-manager release, honouring `charts.certManager`. */
export function certManagerRelease(platform: PlatformConfig): CertManagerRelease {
  const source = chartSource("certManager", platform.charts);
  return {
    chart: source.chart,
    version: source.version,
    repositoryOpts: source.repository ? { repo: source.repository } : undefined,
    namespace: CERT_MANAGER_NAMESPACE,
  };
}

function http01Solver(platform: PlatformConfig): Record<string, unknown> {
  if (platform.ingress.controller === "gateway-api") {
    return {
      gatewayHTTPRoute: {
        parentRefs: [
          { name: GATEWAY_NAME, namespace: platform.ingress.namespace, kind: "Gateway", sectionName: "http" },
        ],
        podTemplate: { metadata: { labels: ACME_SOLVER_LABEL } },
      },
    };
  }
  return {
    ingress: {
      ingressClassName: NGINX_INGRESS_CLASS,
      podTemplate: { metadata: { labels: ACME_SOLVER_LABEL } },
    },
  };
}

/**
 * Issuers and the CA certificate, in creation order. `selfsigned`: a self-signed issuer
 * signs a CA certificate, and `platform-ca` issues from it (so apps get a stable CA to
 * trust, not a different self-signed certificate each). Let's Encrypt: only the issuer
 * the stack selects, which keeps staging issuers out of prod stacks.
 */
export function clusterIssuers(platform: PlatformConfig): K8sObject[] {
  const labels = platformLabels("cert-manager");
  const issuer = platform.certificates.issuer;
  if (issuer === "selfsigned") {
    return [
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: SELFSIGNED_ISSUER, labels },
        spec: { selfSigned: {} },
      },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: PLATFORM_CA, namespace: CERT_MANAGER_NAMESPACE, labels },
        spec: {
          isCA: true,
          commonName: "k8s-netplat platform CA",
          // A ClusterIssuer reads its CA secret from cert-manager's cluster resource namespace.
          secretName: PLATFORM_CA,
          privateKey: { algorithm: "ECDSA", size: 256 },
          duration: "8760h",
          issuerRef: { kind: "ClusterIssuer", name: SELFSIGNED_ISSUER, group: "cert-manager.io" },
        },
      },
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: PLATFORM_CA, labels },
        spec: { ca: { secretName: PLATFORM_CA } },
      },
    ];
  }
  if (!platform.certificates.acmeEmail) {
    throw new Error(`certificates.acmeEmail: required for ${issuer}`);
  }
  return [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: issuer, labels },
      spec: {
        acme: {
          server: ACME_SERVERS[issuer],
          email: platform.certificates.acmeEmail,
          privateKeySecretRef: { name: `${issuer}-account-key` },
          solvers: [{ http01: http01Solver(platform) }],
        },
      },
    },
  ];
}
