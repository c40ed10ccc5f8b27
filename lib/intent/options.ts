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
  /** Where cluster DNS runs; CoreDNS keeps the kube-dns label for compatibility. */
  dns?: { namespace: string; podLabels: Record<string, string> };
}

/** Cluster DNS when `dns` is not given; CoreDNS keeps the kube-dns label for compatibility. */
export const DEFAULT_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
