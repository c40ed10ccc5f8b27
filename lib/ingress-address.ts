/**
 * Where users reach the platform: the ingress controller's address as its Service (or,
 * for gateway-api, its Gateway) reports it. Pure: live object fields in, address out.
 */

/** The fields of a Service this needs, as the Kubernetes provider returns them. */
export interface ServiceLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { type?: string; ports?: Array<{ name?: string; port: number; nodePort?: number }> };
  status?: { loadBalancer?: { ingress?: Array<{ hostname?: string; ip?: string }> } };
}

export interface IngressAddress {
  /** The Service (`namespace/name`) or Gateway the address was read from. */
  source: string;
  serviceType: "LoadBalancer" | "NodePort";
  /**
   * LoadBalancer: its hostname, else its IP; absent until the cloud assigns one (and in
   * render mode). NodePort: absent, since any node's address serves the node ports.
   */
  host?: string;
  /** The ports clients dial, by port name (`http`, `https`): Service ports, or node ports for NodePort. */
  ports: Record<string, number>;
}

const EXPOSED = new Set(["LoadBalancer", "NodePort"]);

/** The exposed (LoadBalancer or NodePort) Service among a controller chart's Services. */
export function exposedService(services: readonly ServiceLike[]): ServiceLike | undefined {
  return services.find((s) => EXPOSED.has(s.spec?.type ?? ""));
}

/** The address of an exposed Service; undefined for any other type. */
export function serviceAddress(svc: ServiceLike): IngressAddress | undefined {
  const type = svc.spec?.type;
  if (type !== "LoadBalancer" && type !== "NodePort") return undefined;
  const ports: Record<string, number> = {};
  for (const [i, p] of (svc.spec?.ports ?? []).entries()) {
    const dialled = type === "NodePort" ? p.nodePort : p.port;
    if (dialled !== undefined) ports[p.name ?? `port-${i}`] = dialled;
  }
  const lb = svc.status?.loadBalancer?.ingress?.[0];
  const host = type === "LoadBalancer" ? (lb?.hostname ?? lb?.ip) : undefined;
  return {
    source: `${svc.metadata?.namespace ?? ""}/${svc.metadata?.name ?? ""}`,
    serviceType: type,
    ...(host ? { host } : {}),
    ports,
  };
}

/** The fields of a Gateway API Gateway this needs. */
export interface GatewayLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { listeners?: Array<{ name: string; port: number }> };
  status?: { addresses?: Array<{ type?: string; value: string }> };
}

/** A Gateway's address: the first one its controller reports, and its listeners' ports. */
export function gatewayAddress(gw: GatewayLike, serviceType: "LoadBalancer" | "NodePort"): IngressAddress {
  const ports = Object.fromEntries((gw.spec?.listeners ?? []).map((l) => [l.name, l.port]));
  const host = gw.status?.addresses?.[0]?.value;
  return {
    source: `${gw.metadata?.namespace ?? ""}/${gw.metadata?.name ?? ""}`,
    serviceType,
    ...(host ? { host } : {}),
    ports,
  };
}
