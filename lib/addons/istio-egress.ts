/**
 * Egress by name: the app's external SaaS hosts leave the mesh through an Istio egress
 * gateway, routed by the TLS SNI of the host a ServiceEntry names, and the mesh's
 * outboundTrafficPolicy decides what happens to a host nothing names (REGISTRY_ONLY:
 * blocked). Kept apart from ./istio.ts (istiod, the ingress gateway) so each file changes
 * for one reason.
 *
 * The routing is Istio's "egress gateway for HTTPS traffic" with mutual TLS between the
 * sidecar and the gateway (https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/):
 * the app opens TLS to the SaaS itself (the gateway never sees plaintext); the sidecar
 * wraps that in the mesh's mTLS to the gateway, setting the SaaS host as SNI
 * (DestinationRule `tls.sni`), so the gateway, terminating only the mesh's layer
 * (Gateway `tls.mode: ISTIO_MUTUAL`), knows the caller's identity and the host; the
 * gateway then forwards the app's TLS to the host the ServiceEntry resolves.
 */
import type { PlatformConfig } from "../config";
import type { ExternalSpec } from "../app-spec";
import { K8sObject, platformLabels } from "../k8s-object";
import { egressGatewayOn, externalsByName, outboundTrafficPolicy } from "../egress-config";
import { HA_REPLICAS, isProd } from "./production";
import type { EgressGatewayPeer } from "../intent/options";
import { principal } from "../intent/authorization-policies";

export { egressGatewayOn, externalsByName, outboundTrafficPolicy } from "../egress-config";

export const ISTIO_EGRESS_NAMESPACE = "istio-egress";
/** The gateway chart's `name`: its Deployment, Service and ServiceAccount, whatever the release name. */
export const ISTIO_EGRESS_GATEWAY_NAME = "istio-egressgateway";
/** The labels the gateway chart derives from the name (`app`, and `istio` without the `istio-` prefix). */
export const EGRESS_GATEWAY_POD_LABELS = { app: "istio-egressgateway", istio: "egressgateway" } as const;
/** The Service and pod port the gateway takes TLS on (the chart's `https` port, targetPort 443). */
export const EGRESS_GATEWAY_TLS_PORT = 443;
/** The gateway's health endpoint (pilot-agent's, on the status port the chart's Service lists). */
export const EGRESS_GATEWAY_STATUS_PORT = 15021;
/** The Istio Gateway every external route goes through. */
export const EGRESS_GATEWAY_RESOURCE = "egress-gateway";

/** The egress gateway as the intent compiler names and selects it. */
export function egressGatewayPeer(): EgressGatewayPeer {
  return {
    name: ISTIO_EGRESS_GATEWAY_NAME,
    namespace: ISTIO_EGRESS_NAMESPACE,
    podLabels: { ...EGRESS_GATEWAY_POD_LABELS },
    port: EGRESS_GATEWAY_TLS_PORT,
  };
}

/** `meshConfig` keys for the outbound policy, merged into istiod's meshConfig; empty without a mesh. */
export function outboundTrafficMeshConfig(platform: PlatformConfig): Record<string, unknown> {
  const mode = outboundTrafficPolicy(platform);
  return mode ? { outboundTrafficPolicy: { mode } } : {};
}

/** The egress gateway's Service, as the app's sidecars address it. */
export function egressGatewayHost(): string {
  return `${ISTIO_EGRESS_GATEWAY_NAME}.${ISTIO_EGRESS_NAMESPACE}.svc.cluster.local`;
}

const probe = {
  httpGet: { path: "/healthz/ready", port: EGRESS_GATEWAY_STATUS_PORT, scheme: "HTTP" },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold: 3,
};

/**
 * gateway chart as the egress gateway: ClusterIP (only the mesh reaches it), our revision,
 * Pod Security restricted (the chart's own container context plus seccomp; the pod keeps the
 * chart's safe sysctl so Envoy binds 443 as non-root), a readiness probe on the status port
 * (the liveness probe has no chart value: lib/chart-rewrites.ts adds it), and in prod two
 * replicas (the HPA's floor too) with a PodDisruptionBudget letting one go.
 */
export function istioEgressGatewayValues(platform: PlatformConfig): Record<string, unknown> {
  return {
    name: ISTIO_EGRESS_GATEWAY_NAME,
    revision: platform.istio.revision,
    service: { type: "ClusterIP" },
    securityContext: {
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
      sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
    },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1337,
      runAsGroup: 1337,
      seccompProfile: { type: "RuntimeDefault" },
    },
    readinessProbe: probe,
    ...(isProd(platform)
      ? {
          autoscaling: { enabled: true, minReplicas: HA_REPLICAS, maxReplicas: 5 },
          podDisruptionBudget: { maxUnavailable: 1 },
        }
      : {}),
  };
}

/** The liveness probe the chart cannot set: the same health endpoint as readiness. */
export const EGRESS_GATEWAY_LIVENESS_PROBE = probe;

/** Access logs of every connection through the egress gateway (Envoy's built-in `envoy` provider, to stdout). */
export function egressAccessLogging(): K8sObject {
  return {
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: {
      name: "egress-gateway-access-log",
      namespace: ISTIO_EGRESS_NAMESPACE,
      labels: platformLabels("istio-egress"),
    },
    spec: {
      selector: { matchLabels: { ...EGRESS_GATEWAY_POD_LABELS } },
      accessLogging: [{ providers: [{ name: "envoy" }] }],
    },
  };
}

/** A service that calls an external host, as the egress gateway's AuthorizationPolicy names it. */
export interface EgressCaller {
  /** The external's name (ExternalSpec.name). */
  external: string;
  namespace: string;
  /** Its ServiceAccount (the app's: the service's name). */
  serviceAccount: string;
}

/**
 * Who may leave through the gateway: an ALLOW per external host, for the SPIFFE principals
 * of the services that call it (the gateway terminates the mesh's mTLS, so it knows the
 * caller) and the host as the connection's SNI. Any other caller or host is denied, even
 * from a pod the NetworkPolicies would let through (dev, without platform policies).
 */
export function egressAuthorization(
  platform: PlatformConfig,
  externals: ExternalSpec[],
  callers: EgressCaller[],
): K8sObject {
  const td = platform.istio.trustDomain;
  const rules = externals
    .map((x) => ({
      x,
      principals: callers
        .filter((c) => c.external === x.name)
        .map((c) => principal(td, c.namespace, c.serviceAccount))
        .sort(),
    }))
    .filter((r) => r.principals.length > 0)
    .map(({ x, principals }) => ({
      from: [{ source: { principals } }],
      to: [{ operation: { ports: [String(EGRESS_GATEWAY_TLS_PORT)] } }],
      when: [{ key: "connection.sni", values: [x.host] }],
    }));
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: {
      name: "allow-app-callers",
      namespace: ISTIO_EGRESS_NAMESPACE,
      labels: platformLabels("istio-egress"),
    },
    // With no rule an ALLOW policy matches nothing: the gateway then admits no one.
    spec: { selector: { matchLabels: { ...EGRESS_GATEWAY_POD_LABELS } }, action: "ALLOW", rules },
  };
}

function serviceEntry(x: ExternalSpec): K8sObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: { name: x.name, namespace: ISTIO_EGRESS_NAMESPACE, labels: platformLabels("istio-egress") },
    spec: {
      hosts: [x.host],
      location: "MESH_EXTERNAL",
      ports: [{ number: x.port, name: `tls-${x.port}`, protocol: "TLS" }],
      resolution: "DNS",
    },
  };
}

/**
 * What the mesh needs to reach the app's external hosts by name: a ServiceEntry per host
 * (REGISTRY_ONLY blocks a host without one), and with the egress gateway the Gateway, and
 * per host a DestinationRule (mTLS to the gateway, the host as SNI) and a VirtualService
 * (sidecars -> gateway, gateway -> host, matched on SNI). Empty when the mesh need not name
 * them (no mesh, or ALLOW_ANY without a gateway).
 */
export function egressRouting(
  platform: PlatformConfig,
  externals: ExternalSpec[],
  callers: EgressCaller[] = [],
): K8sObject[] {
  if (!externalsByName(platform) || externals.length === 0) return [];
  const out = externals.map(serviceEntry);
  if (!egressGatewayOn(platform)) return out;
  out.push(egressAuthorization(platform, externals, callers));
  const gatewayRef = `${ISTIO_EGRESS_NAMESPACE}/${EGRESS_GATEWAY_RESOURCE}`;
  const labels = platformLabels("istio-egress");
  out.push({
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: EGRESS_GATEWAY_RESOURCE, namespace: ISTIO_EGRESS_NAMESPACE, labels },
    spec: {
      selector: { istio: EGRESS_GATEWAY_POD_LABELS.istio },
      servers: [
        {
          port: { number: EGRESS_GATEWAY_TLS_PORT, name: "tls-egress", protocol: "TLS" },
          hosts: externals.map((x) => x.host),
          tls: { mode: "ISTIO_MUTUAL" },
        },
      ],
    },
  });
  for (const x of externals) {
    out.push({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: `egress-gateway-for-${x.name}`, namespace: ISTIO_EGRESS_NAMESPACE, labels },
      spec: {
        host: egressGatewayHost(),
        subsets: [
          {
            name: x.name,
            trafficPolicy: {
              portLevelSettings: [
                { port: { number: EGRESS_GATEWAY_TLS_PORT }, tls: { mode: "ISTIO_MUTUAL", sni: x.host } },
              ],
            },
          },
        ],
      },
    });
    out.push({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: `${x.name}-through-egress-gateway`, namespace: ISTIO_EGRESS_NAMESPACE, labels },
      spec: {
        hosts: [x.host],
        gateways: ["mesh", gatewayRef],
        tls: [
          {
            match: [{ gateways: ["mesh"], port: x.port, sniHosts: [x.host] }],
            route: [
              {
                destination: {
                  host: egressGatewayHost(),
                  subset: x.name,
                  port: { number: EGRESS_GATEWAY_TLS_PORT },
                },
              },
            ],
          },
          {
            match: [{ gateways: [gatewayRef], port: EGRESS_GATEWAY_TLS_PORT, sniHosts: [x.host] }],
            route: [{ destination: { host: x.host, port: { number: x.port } } }],
          },
        ],
      },
    });
  }
  return out;
}
