/**
 * What the compiler needs to know about the platform around the app: the ingress
 * controller, and the add-ons app pods must reach or be reached by (DNS, istiod,
 * Prometheus, the tracing collector, cert-manager's HTTP-01 solvers).
 */

/** The ingress controller's pods and identity, as the chosen controller labels them. */
export interface IngressPeer {
  namespace: string;
  podLabels: Record<string, string>;
  serviceAccount: string;
}

export interface PolicyOptions {
  ingress: IngressPeer;
  /** Istio on: app pods also need istiod (xDS and certificates on 15012). */
  mesh?: { namespace: string; trustDomain: string };
  /** Observability on: Prometheus scrapes the sidecars' merged metrics. */
  prometheus?: { namespace: string; podLabels: Record<string, string> };
  /** Tracing on (with the mesh): the sidecars send spans to the collector's pods on this port. */
  tracing?: { namespace: string; podLabels: Record<string, string>; port: number };
  /**
   * Let's Encrypt HTTP-01: cert-manager starts solver pods in the Ingress's namespace,
   * which default-deny would hide from the ingress controller.
   */
  acmeSolver?: { podLabels: Record<string, string>; port: number };
  /**
   * Istio's egress gateway: app pods reach external hosts only through it (on its pod port),
   * and the gateway alone reaches the hosts' ranges (lib/platform-intent.ts). Without it,
   * the callers reach the ranges directly (an ipBlock).
   */
  egressGateway?: EgressGatewayPeer;
  /** Where cluster DNS runs; CoreDNS keeps the kube-dns label for compatibility. */
  dns?: { namespace: string; podLabels: Record<string, string> };
}

/** The egress gateway's pods, as the intent names them. */
export interface EgressGatewayPeer {
  /** The intent document's peer name. */
  name: string;
  namespace: string;
  podLabels: Record<string, string>;
  /** The pod port the gateway takes TLS on. */
  port: number;
}

/** Cluster DNS when `dns` is not given; CoreDNS keeps the kube-dns label for compatibility. */
export const DEFAULT_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
