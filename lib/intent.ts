/**
 * The traffic intent compiler: from one declaration of edges (`frontend -> orders:8080`)
 * to every artefact that enforces or documents it: NetworkPolicies in both
 * directions, Istio AuthorizationPolicies, the intent document the policy pack
 * checks reachability against. Pure functions only; components/ turn the objects
 * into Pulumi resources.
 *
 * Two Kubernetes semantics shape this file:
 * - A NetworkPolicy port is the *pod's* port, not the Service port: a Service
 *   80 -> targetPort 8080 needs `port: 8080` in the policy. Edges name Service
 *   ports (what clients dial); the compiler translates.
 *   https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
 * - Traffic flows only when the source's egress AND the destination's ingress allow
 *   it, so every edge yields two policies, each on exactly one port. The seed
 *   article's `podSelector: {}` sample admits frontend to every pod in the namespace
 *   on both ports; nothing here selects wider than one workload.
 */
import { AppSpec, ServiceSpec } from "./app-spec";
import { K8sObject, LabelSelector, platformLabels } from "./k8s-object";
import type {
  IntentDocument,
  IntentEdge,
  IntentPeer,
  Protocol,
} from "../policy-pack/reachability/intent-document";
import {
  INTENT_CONFIGMAP_KEY,
  INTENT_CONFIGMAP_NAME,
  INTENT_LABEL,
} from "../policy-pack/reachability/intent-document";

export const NAME_LABEL = "app.kubernetes.io/name";
/** Every app pod carries it, with the app's (first) namespace as value. */
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
const NS_LABEL = "kubernetes.io/metadata.name";
const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

/** The ingress controller's pods and identity, as the chosen controller labels them. */
export interface IngressPeer {
  namespace: string;
  podLabels: Record<string, string>;
  serviceAccount: string;
}

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

/** Where each service runs, for the multi-cluster case; one cluster means everything is local. */
export interface ClusterView {
  /** This cluster's name. */
  cluster: string;
  /** Services running on this cluster. */
  local: ReadonlySet<string>;
  /**
   * For a service that runs only elsewhere: the address range its clients dial
   * (the remote cluster's service CIDR, or its Globalnet range).
   */
  remoteServiceCidrs: (service: string) => string[];
  /** For a client that runs only elsewhere: the ranges its connections arrive from. */
  remoteClientCidrs: (service: string) => string[];
}

export function singleCluster(app: ResolvedApp, cluster = "default"): ClusterView {
  return {
    cluster,
    local: new Set(app.spec.services.map((s) => s.name)),
    remoteServiceCidrs: () => [],
    remoteClientCidrs: () => [],
  };
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

export const DEFAULT_DENY_NAME = "default-deny";
export const ALLOW_NOTHING_NAME = "allow-nothing";
const DEFAULT_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } };
export const ISTIOD_LABELS = { app: "istiod" };

type PolicyPeer = Record<string, unknown>;
type PolicyPort = { protocol: Protocol; port: number };

function podPeer(namespace: string, labels: Record<string, string>): PolicyPeer {
  // Both selectors in ONE peer entry: pods with these labels AND in this namespace.
  // As two list items they would mean "these pods in the policy's namespace OR every pod there".
  return {
    namespaceSelector: { matchLabels: { [NS_LABEL]: namespace } },
    podSelector: { matchLabels: labels },
  };
}

function selectorFor(service: string): LabelSelector {
  return { matchLabels: { [NAME_LABEL]: service } };
}

function networkPolicy(
  name: string,
  namespace: string,
  podSelector: LabelSelector,
  direction: "Ingress" | "Egress",
  peers: PolicyPeer[],
  ports: PolicyPort[],
  component: string,
): K8sObject {
  const rule = { [direction === "Ingress" ? "from" : "to"]: peers, ports };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: platformLabels(component) },
    spec: {
      podSelector,
      policyTypes: [direction],
      [direction === "Ingress" ? "ingress" : "egress"]: [rule],
    },
  };
}

/** Namespaces holding the services that run on this cluster, sorted. */
export function localNamespaces(app: ResolvedApp, view: ClusterView): string[] {
  return app.namespaces.filter((ns) =>
    app.spec.services.some((s) => view.local.has(s.name) && namespaceOf(app.spec, s) === ns),
  );
}

/** Namespaces on this cluster that the ingress controller routes into. */
function ingressNamespaces(app: ResolvedApp, view: ClusterView): string[] {
  const out = new Set<string>();
  for (const e of app.edges) {
    if (
      e.source.kind === "ingress-controller" &&
      e.destination.kind === "service" &&
      view.local.has(e.destination.name)
    ) {
      out.add(e.destination.namespace);
    }
  }
  return [...out].sort();
}

function edgeName(e: ResolvedEdge, direction: "ingress" | "egress"): string {
  return `allow-${e.from}-to-${e.to}-${e.protocol.toLowerCase()}-${e.port}-${direction}`;
}

/**
 * Every NetworkPolicy of one cluster: default-deny per app namespace, DNS (and istiod,
 * Prometheus) allowances, and an egress + ingress pair per edge on that one port.
 */
export function compileNetworkPolicies(
  app: ResolvedApp,
  opts: PolicyOptions,
  view: ClusterView = singleCluster(app),
): K8sObject[] {
  const out: K8sObject[] = [];
  const dns = opts.dns ?? DEFAULT_DNS;
  // Namespace-wide allowances name the app's own pods, not `{}`: other pods that land
  // in the namespace (cert-manager's HTTP-01 solvers, say) get only what they need.
  const appPods: LabelSelector = { matchLabels: { [PART_OF_LABEL]: app.spec.namespace } };
  for (const ns of localNamespaces(app, view)) {
    out.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: DEFAULT_DENY_NAME, namespace: ns, labels: platformLabels("traffic-intent") },
      // Both types listed with no rules: nothing in, nothing out, until an allow adds it.
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    out.push(
      networkPolicy(
        "allow-dns-egress",
        ns,
        appPods,
        "Egress",
        [podPeer(dns.namespace, dns.podLabels)],
        [
          // DNS falls back to TCP for answers over 512 bytes; UDP alone breaks large responses.
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
        "platform-allowance",
      ),
    );
    if (opts.mesh) {
      out.push(
        networkPolicy(
          "allow-istiod-egress",
          ns,
          appPods,
          "Egress",
          [podPeer(opts.mesh.namespace, ISTIOD_LABELS)],
          [{ protocol: "TCP", port: 15012 }],
          "platform-allowance",
        ),
      );
      if (opts.tracing) {
        out.push(
          networkPolicy(
            "allow-tracing-egress",
            ns,
            appPods,
            "Egress",
            [podPeer(opts.tracing.namespace, opts.tracing.podLabels)],
            [{ protocol: "TCP", port: opts.tracing.port }],
            "platform-allowance",
          ),
        );
      }
      if (opts.prometheus) {
        out.push(
          networkPolicy(
            "allow-prometheus-scrape-ingress",
            ns,
            appPods,
            "Ingress",
            [podPeer(opts.prometheus.namespace, opts.prometheus.podLabels)],
            [{ protocol: "TCP", port: 15020 }],
            "platform-allowance",
          ),
        );
      }
    }
  }

  if (opts.acmeSolver) {
    for (const ns of ingressNamespaces(app, view)) {
      out.push(
        networkPolicy(
          "allow-acme-http01-solver-ingress",
          ns,
          { matchLabels: opts.acmeSolver.podLabels },
          "Ingress",
          [podPeer(opts.ingress.namespace, opts.ingress.podLabels)],
          [{ protocol: "TCP", port: opts.acmeSolver.port }],
          "platform-allowance",
        ),
      );
    }
  }

  for (const e of app.edges) {
    const port = { protocol: e.protocol, port: e.podPort };
    const dst = e.destination;
    const src = e.source;
    // Egress side: on the source's pods, when the source runs here.
    if (src.kind === "service" && view.local.has(src.name)) {
      let to: PolicyPeer[] = [];
      let egressPort = port;
      if (dst.kind === "service") {
        if (view.local.has(dst.name)) {
          to = [podPeer(dst.namespace, { [NAME_LABEL]: dst.name })];
        } else {
          // A remote service is dialled at its (global) service address on the Service port:
          // no local kube-proxy translates it to a pod port before the policy sees it.
          to = view.remoteServiceCidrs(dst.name).map((cidr) => ({ ipBlock: { cidr } }));
          egressPort = { protocol: e.protocol, port: e.port };
        }
      } else if (dst.kind === "external") {
        to = dst.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
      }
      if (to.length > 0) {
        out.push(
          networkPolicy(
            edgeName(e, "egress"),
            src.namespace,
            selectorFor(src.name),
            "Egress",
            to,
            [egressPort],
            "traffic-intent",
          ),
        );
      }
    }
    // Ingress side: on the destination's pods, when the destination runs here.
    if (dst.kind === "service" && view.local.has(dst.name)) {
      let from: PolicyPeer[] = [];
      if (src.kind === "ingress-controller") {
        from = [podPeer(opts.ingress.namespace, opts.ingress.podLabels)];
      } else if (src.kind === "service") {
        from = view.local.has(src.name)
          ? [podPeer(src.namespace, { [NAME_LABEL]: src.name })]
          : view.remoteClientCidrs(src.name).map((cidr) => ({ ipBlock: { cidr } }));
      }
      if (from.length > 0) {
        out.push(
          networkPolicy(
            edgeName(e, "ingress"),
            dst.namespace,
            selectorFor(dst.name),
            "Ingress",
            from,
            [port],
            "traffic-intent",
          ),
        );
      }
    }
  }
  return out;
}

/** SPIFFE principal Istio gives a workload's service account (without the spiffe:// prefix). */
export function principal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * Istio AuthorizationPolicies: an allow-nothing policy per app namespace (any ALLOW
 * policy on a workload denies what it does not match, and an empty spec matches
 * nothing), then per destination one ALLOW listing each source's principal and port.
 */
export function compileAuthorizationPolicies(
  app: ResolvedApp,
  opts: { trustDomain: string; ingress: IngressPeer },
  view: ClusterView = singleCluster(app),
): K8sObject[] {
  const out: K8sObject[] = [];
  const local = app.spec.services.filter((s) => view.local.has(s.name));
  for (const ns of localNamespaces(app, view)) {
    out.push({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: ALLOW_NOTHING_NAME, namespace: ns, labels: platformLabels("traffic-intent") },
      spec: {},
    });
  }
  for (const s of local) {
    const inbound = app.edges.filter(
      (e) => e.destination.kind === "service" && e.destination.name === s.name,
    );
    if (inbound.length === 0) continue;
    const rules = inbound.map((e) => {
      const who =
        e.source.kind === "ingress-controller"
          ? principal(opts.trustDomain, opts.ingress.namespace, opts.ingress.serviceAccount)
          : e.source.kind === "service"
            ? principal(opts.trustDomain, e.source.namespace, e.source.name)
            : undefined;
      return {
        from: [{ source: { principals: [who] } }],
        to: [{ operation: { ports: [String(e.podPort)] } }],
      };
    });
    out.push({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: {
        name: `allow-to-${s.name}`,
        namespace: namespaceOf(app.spec, s),
        labels: platformLabels("traffic-intent"),
      },
      spec: { selector: selectorFor(s.name), action: "ALLOW", rules },
    });
  }
  return out;
}

/**
 * The intent as the policy pack reads it back, for one cluster: peers by selector,
 * edges on the ports the NetworkPolicies see. A service running only on another
 * cluster appears as an external peer at the range its traffic carries there.
 */
export function intentDocument(
  app: ResolvedApp,
  opts: PolicyOptions,
  view: ClusterView = singleCluster(app),
): IntentDocument {
  const peers: Record<string, IntentPeer> = {};
  const edges: IntentEdge[] = [];
  const local = app.spec.services.filter((s) => view.local.has(s.name));
  for (const s of local) {
    peers[s.name] = {
      kind: "workload",
      namespace: namespaceOf(app.spec, s),
      podLabels: { [NAME_LABEL]: s.name },
    };
  }
  for (const x of app.spec.externals) peers[x.name] = { kind: "external", host: x.host, cidrs: x.cidrs };
  peers["ingress-controller"] = {
    kind: "workload",
    namespace: opts.ingress.namespace,
    podLabels: opts.ingress.podLabels,
  };
  const remotePeer = (name: string, role: "service" | "client"): string | undefined => {
    const cidrs = role === "service" ? view.remoteServiceCidrs(name) : view.remoteClientCidrs(name);
    if (cidrs.length === 0) return undefined;
    const id = `${name}@remote-${role}`;
    peers[id] = {
      kind: "external",
      host: `${name} (${role === "service" ? "exported service" : "clients"} on another cluster)`,
      cidrs,
    };
    return id;
  };
  for (const e of app.edges) {
    const srcLocal = e.source.kind !== "service" || view.local.has(e.source.name);
    const dstLocal = e.destination.kind !== "service" || view.local.has(e.destination.name);
    if (srcLocal && dstLocal) {
      edges.push({ from: e.from, to: e.to, port: e.podPort, protocol: e.protocol, origin: "app" });
    } else if (srcLocal && e.source.kind === "service") {
      const to = remotePeer(e.to, "service");
      if (to) edges.push({ from: e.from, to, port: e.port, protocol: e.protocol, origin: "app" });
    } else if (dstLocal && e.destination.kind === "service") {
      const from = remotePeer(e.from, "client");
      if (from) edges.push({ from, to: e.to, port: e.podPort, protocol: e.protocol, origin: "app" });
    }
  }
  if (opts.acmeSolver) {
    for (const ns of ingressNamespaces(app, view)) {
      const id = `acme-solver@${ns}`;
      peers[id] = { kind: "workload", namespace: ns, podLabels: opts.acmeSolver.podLabels };
      edges.push({
        from: "ingress-controller",
        to: id,
        port: opts.acmeSolver.port,
        protocol: "TCP",
        origin: "platform",
      });
    }
  }
  const dns = opts.dns ?? DEFAULT_DNS;
  peers["kube-dns"] = { kind: "workload", namespace: dns.namespace, podLabels: dns.podLabels };
  if (opts.mesh)
    peers.istiod = { kind: "workload", namespace: opts.mesh.namespace, podLabels: ISTIOD_LABELS };
  if (opts.mesh && opts.prometheus) {
    peers.prometheus = {
      kind: "workload",
      namespace: opts.prometheus.namespace,
      podLabels: opts.prometheus.podLabels,
    };
  }
  if (opts.mesh && opts.tracing) {
    peers.tracing = {
      kind: "workload",
      namespace: opts.tracing.namespace,
      podLabels: opts.tracing.podLabels,
    };
  }
  for (const s of local) {
    edges.push({ from: s.name, to: "kube-dns", port: 53, protocol: "UDP", origin: "platform" });
    if (opts.mesh && opts.tracing) {
      edges.push({
        from: s.name,
        to: "tracing",
        port: opts.tracing.port,
        protocol: "TCP",
        origin: "platform",
      });
    }
    edges.push({ from: s.name, to: "kube-dns", port: 53, protocol: "TCP", origin: "platform" });
    if (opts.mesh)
      edges.push({ from: s.name, to: "istiod", port: 15012, protocol: "TCP", origin: "platform" });
    if (opts.mesh && opts.prometheus) {
      edges.push({ from: "prometheus", to: s.name, port: 15020, protocol: "TCP", origin: "platform" });
    }
  }
  return { version: 1, appNamespaces: localNamespaces(app, view), peers, edges };
}

/** The intent document as a ConfigMap in the first app namespace, where the policy pack finds it. */
export function intentConfigMap(doc: IntentDocument): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: INTENT_CONFIGMAP_NAME,
      namespace: doc.appNamespaces[0],
      labels: platformLabels("traffic-intent", { [INTENT_LABEL]: "true" }),
    },
    data: { [INTENT_CONFIGMAP_KEY]: JSON.stringify(doc, null, 2) },
  };
}
