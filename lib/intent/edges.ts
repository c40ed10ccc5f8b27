/**
 * The app's traffic declaration: `source -> destination:port[/protocol]` edges parsed,
 * and each edge's peers and ports resolved against the app's services and externals.
 *
 * Edges name Service ports (what clients dial); a NetworkPolicy port is the *pod's*
 * port, so resolving records both: a Service 80 -> targetPort 8080 gives `podPort: 8080`.
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
 */
import { AppSpec, ServiceSpec } from "../app-spec";
import type { Protocol } from "./contract";

const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

export interface EdgeSpec {
  from: string;
  to: string;
  /** The port clients dial: a Service port, or the external host's port. */
  port: number;
  protocol: Protocol;
}

const EDGE_SYNTAX = /^\s*([a-z0-9-]+)\s*->\s*([a-z0-9-]+)\s*:\s*(\d+)\s*(?:\/\s*(\w+))?\s*$/;

/** Parses `source -> destination:port[/protocol]`; protocol defaults to TCP. */
export function parseEdge(text: string): EdgeSpec {
  const m = EDGE_SYNTAX.exec(text);
  if (!m) {
    throw new Error(`"${text}" is not an edge (expected "source -> destination:port" or ".../UDP")`);
  }
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`"${text}": port ${port} is outside 1-65535`);
  const protocol = (m[4] ?? "TCP").toUpperCase() as Protocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw new Error(`"${text}": protocol ${m[4]} is not one of ${PROTOCOLS.join(", ")}`);
  }
  return { from: m[1], to: m[2], port, protocol };
}

export type Peer =
  | { kind: "service"; name: string; namespace: string; service: ServiceSpec }
  | { kind: "external"; name: string; host: string; cidrs: string[]; port: number }
  | { kind: "ingress-controller"; name: "ingress-controller" };

export interface ResolvedEdge extends EdgeSpec {
  source: Peer;
  destination: Peer;
  /** The port the destination pod listens on (equals `port` for externals and the controller). */
  podPort: number;
}

export interface ResolvedApp {
  spec: AppSpec;
  namespaces: string[];
  edges: ResolvedEdge[];
}

function servicePodPort(s: ServiceSpec, port: number): number | undefined {
  if (s.port === port) return s.targetPort ?? s.port;
  return s.extraPorts?.find((p) => p.port === port)?.port;
}

export function namespaceOf(app: AppSpec, s: ServiceSpec): string {
  return s.namespace ?? app.namespace;
}

/**
 * Resolves every edge's peers and ports against the app; throws naming the edge and
 * what would be accepted (known peers, the destination's ports).
 */
export function resolveApp(spec: AppSpec): ResolvedApp {
  const peers = new Map<string, Peer>();
  for (const s of spec.services) {
    if (peers.has(s.name)) throw new Error(`service "${s.name}" is declared twice`);
    peers.set(s.name, { kind: "service", name: s.name, namespace: namespaceOf(spec, s), service: s });
  }
  for (const e of spec.externals) {
    if (peers.has(e.name)) throw new Error(`external "${e.name}" reuses the name of a service`);
    peers.set(e.name, { kind: "external", name: e.name, host: e.host, cidrs: e.cidrs, port: e.port });
  }
  peers.set("ingress-controller", { kind: "ingress-controller", name: "ingress-controller" });
  const known = [...peers.keys()].join(", ");

  const seen = new Set<string>();
  const edges = spec.edges.map((text) => {
    const e = parseEdge(text);
    const source = peers.get(e.from);
    const destination = peers.get(e.to);
    if (!source) throw new Error(`"${text}": unknown source "${e.from}" (known peers: ${known})`);
    if (!destination) throw new Error(`"${text}": unknown destination "${e.to}" (known peers: ${known})`);
    if (source.kind !== "service") {
      if (!(source.kind === "ingress-controller" && destination.kind === "service")) {
        throw new Error(
          `"${text}": only app services and the ingress controller may start an edge, and the controller only to a service`,
        );
      }
    }
    let podPort: number;
    if (destination.kind === "service") {
      const p = servicePodPort(destination.service, e.port);
      if (p === undefined) {
        const ports = [
          destination.service.port,
          ...(destination.service.extraPorts ?? []).map((x) => x.port),
        ];
        throw new Error(
          `"${text}": ${destination.name} has no port ${e.port} (its ports: ${ports.join(", ")})`,
        );
      }
      podPort = p;
    } else if (destination.kind === "external") {
      if (destination.port !== e.port) {
        throw new Error(
          `"${text}": external ${destination.name} is reached on port ${destination.port}, not ${e.port}`,
        );
      }
      podPort = e.port;
    } else {
      throw new Error(`"${text}": the ingress controller cannot be a destination`);
    }
    const key = `${e.from}>${e.to}:${e.port}/${e.protocol}`;
    if (seen.has(key)) throw new Error(`"${text}" is declared twice`);
    seen.add(key);
    return { ...e, source, destination, podPort };
  });
  const namespaces = [...new Set(spec.services.map((s) => namespaceOf(spec, s)))].sort();
  return { spec, namespaces, edges };
}
