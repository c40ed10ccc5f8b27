/**
 * Zero trust for the platform's own namespaces (cert-manager, Istio's root namespace,
 * monitoring, the ingress controller's namespace, istio-ingress for Istio's gateway,
 * istio-egress for the egress gateway): a default-deny per namespace plus
 * exactly the flows each add-on needs, declared once as intent edges and compiled to
 * NetworkPolicies the same way as the app's (lib/intent.ts): every edge yields the
 * source's egress and the destination's ingress, each on the edge's ports, on the side(s)
 * that live in a zero-trust namespace. The same edges join the app's intent document,
 * so `reachability-matches-intent` holds the compiled policies against them.
 *
 * What the add-ons need (labels and ports read off the charts; test/unit/charts/chart-names.test.ts
 * checks them against `helm template`):
 * - every pod: DNS (kube-dns, 53 UDP and TCP);
 * - controllers that watch the API server: egress to it (its range and port from config);
 * - webhooks the API server calls: cert-manager's (10250), istiod's injection/validation
 *   (15017), the Prometheus operator's admission webhook (10250), ingress-nginx's (8443);
 * - istiod from the mesh: xDS and certificates on 15012 from every sidecar (app pods, the
 *   ingress controller), monitoring on 15014 from Kiali; with istio.oneMesh, istiod to the
 *   other clusters' API servers (their apiServerCidr and port);
 * - the ingress controller from the internet on 80/443 (an Envoy gateway also on its status
 *   port 15021), to the app's entry service and the ACME HTTP-01 solvers;
 * - Prometheus to what its ServiceMonitors and scrape configs name: pods in monitoring,
 *   CoreDNS, the sidecars' merged metrics (15020), and on the nodes' range node-exporter,
 *   the kubelet and the control plane (node-exporter and the control plane run on the host
 *   network, where NetworkPolicy does not select them);
 * - cert-manager's controller to ACME servers on the internet (443, and 80 for its
 *   HTTP-01 self-check), never to private or cluster ranges;
 * - the egress gateway from the app's callers of external hosts on 443, to those hosts'
 *   ranges on their ports, to istiod like every sidecar;
 * - the egress gateway (when on) from the app's callers of external hosts on 443, to those
 *   hosts' ranges on their ports, to istiod like every sidecar;
 * - the Jaeger collector (OTLP 4317) from every sidecar; Grafana to Prometheus and
 *   Alertmanager; Kiali to Prometheus, Grafana, Jaeger's query gRPC and istiod.
 * Kubelet probes need nothing: traffic from a pod's own node is always allowed.
 */
import type { ClusterConfig, PlatformConfig } from "./config";
import { platformPoliciesOn, platformPolicyProblems } from "./platform-policy-config";
import { parseCidr } from "./cidr";
import { oneMesh } from "./cross-cluster";
import {
  DEFAULT_DENY_NAME,
  ISTIOD_LABELS,
  NAME_LABEL,
  PART_OF_LABEL,
  type ClusterView,
  type ResolvedApp,
  localNamespaces,
} from "./intent";
import { K8sObject, platformLabels } from "./k8s-object";
import { ACME_SOLVER_LABEL, CERT_MANAGER_NAMESPACE } from "./addons/cert-manager";
import { ingressPeer } from "./addons/ingress";
import { ISTIO_INGRESS_NAMESPACE } from "./addons/istio";
import { egressGatewayOn, egressGatewayPeer } from "./addons/istio-egress";
import { MONITORING_NAMESPACE, jaegerPeer, prometheusPeer, tracingEnabled } from "./addons/observability";
import type { IntentDocument, IntentEdge, IntentPeer, L4Protocol } from "@k8s-netplat/contract";

const NS_LABEL = "kubernetes.io/metadata.name";
/** The NetworkPolicy component label of every policy compiled here. */
export const PLATFORM_POLICY_COMPONENT = "platform-intent";
/** The ACME egress policy: the one platform policy that opens the internet (by design). */
export const ACME_EGRESS_POLICY = "allow-cert-manager-to-acme-servers-egress";
/** The API server's port when `clusters[].apiServer.port` does not say. */
export const DEFAULT_API_SERVER_PORT = 6443;
/** cert-manager's HTTP-01 solver pods (same as lib/cluster-plan.ts's). */
const ACME_SOLVER_PORT = 8089;

/**
 * Ranges ACME egress never reaches: RFC 1918, shared (CGNAT), loopback, link-local (cloud
 * metadata services), and the multicast/reserved tail. The cluster's own ranges are added.
 */
export const NON_PUBLIC_IPV4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/3",
];

/** Labels the charts give the add-on pods (release-independent ones only). */
export const ADDON_POD_LABELS = {
  certManagerController: {
    "app.kubernetes.io/name": "cert-manager",
    "app.kubernetes.io/component": "controller",
  },
  certManagerCainjector: {
    "app.kubernetes.io/name": "cainjector",
    "app.kubernetes.io/component": "cainjector",
  },
  certManagerWebhook: { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" },
  kiali: { "app.kubernetes.io/name": "kiali" },
  grafana: { "app.kubernetes.io/name": "grafana" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager", alertmanager: "kps-alertmanager" },
  kubeStateMetrics: { "app.kubernetes.io/name": "kube-state-metrics" },
  prometheusOperator: { app: "kube-prometheus-stack-operator" },
  coreDns: { "k8s-app": "kube-dns" },
  istioIngressGateway: { app: "istio-ingressgateway", istio: "ingressgateway" },
} as const;

/** Pod ports the allowances open (the container ports of the charts). */
export const ADDON_PORTS = {
  certManagerWebhook: 10250,
  istiodXds: 15012,
  istiodWebhook: 15017,
  istiodMonitoring: 15014,
  sidecarMetrics: 15020,
  prometheus: 9090,
  prometheusReloader: 8080,
  alertmanager: 9093,
  alertmanagerReloader: 8080,
  grafana: 3000,
  kubeStateMetrics: 8080,
  prometheusOperator: 10250,
  coreDnsMetrics: 9153,
  jaegerQueryGrpc: 16685,
  ingressNginxWebhook: 8443,
  nodeExporter: 9100,
  kubelet: 10250,
  kubeControllerManager: 10257,
  kubeScheduler: 10259,
  etcdMetrics: 2381,
  kubeProxyMetrics: 10249,
  gatewayStatus: 15021,
} as const;

/** A peer as both the intent (cidrs) and the policies (ipBlocks, with `except`) see it. */
type Peer =
  | { kind: "workload"; namespace: string; podLabels: Record<string, string> }
  | { kind: "external"; host: string; cidrs: string[]; ipBlocks: Array<{ cidr: string; except?: string[] }> };

export interface PlatformIntent {
  /** The zero-trust namespaces, sorted. */
  namespaces: string[];
  peers: Record<string, Peer>;
  edges: IntentEdge[];
}

export { platformPoliciesOn, platformPolicyProblems } from "./platform-policy-config";

function apiServerPort(cluster: ClusterConfig): number {
  return cluster.apiServer?.port ?? DEFAULT_API_SERVER_PORT;
}

/** IPv4 blocks covering everything outside `holes` (sorted, merged), as CIDRs. */
export function complementCidrs(holes: string[]): string[] {
  const ranges = holes
    .map((h) => parseCidr(h))
    .filter((p) => p.family === "ipv4")
    .map((p) => [p.first, p.last] as [bigint, bigint])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: string[] = [];
  let next = 0n;
  const emit = (from: bigint, hi: bigint): void => {
    // Largest aligned blocks from `from` to `hi`.
    let lo = from;
    while (lo <= hi) {
      let hostBits = 0n;
      while (hostBits < 32n) {
        const size = 1n << (hostBits + 1n);
        if (lo % size !== 0n || lo + size - 1n > hi) break;
        hostBits += 1n;
      }
      out.push(`${[24n, 16n, 8n, 0n].map((s) => (lo >> s) & 255n).join(".")}/${32n - hostBits}`);
      lo += 1n << hostBits;
    }
  };
  for (const [lo, hi] of ranges) {
    if (lo > next) emit(next, lo - 1n);
    if (hi + 1n > next) next = hi + 1n;
  }
  if (next <= 0xffffffffn) emit(next, 0xffffffffn);
  return out;
}

/**
 * The platform's zero-trust intent on one cluster, or undefined when it is off. Throws a
 * Error when a range it needs is missing (lib/config.ts refuses that earlier).
 */
export function platformIntent(
  platform: PlatformConfig,
  app: ResolvedApp,
  view: ClusterView,
): PlatformIntent | undefined {
  if (!platformPoliciesOn(platform)) return undefined;
  const cluster = platform.clusters.find((c) => c.name === view.cluster);
  if (!cluster) throw new Error(`no cluster "${view.cluster}" in the stack`);
  const problems = platformPolicyProblems({ ...platform, clusters: [cluster] });
  if (problems.length > 0) throw new Error(problems.join("; "));

  const mesh = platform.istio.enabled;
  const o = platform.observability;
  const obs = o.enabled;
  const prom = obs && o.prometheus;
  const grafana = obs && o.grafana;
  const kiali = obs && o.kiali && mesh;
  const tracing = tracingEnabled(platform);
  const istioNs = platform.istio.rootNamespace;
  const ingress = ingressPeer(platform);

  const namespaces = new Set<string>([CERT_MANAGER_NAMESPACE, ingress.namespace]);
  if (mesh) namespaces.add(istioNs);
  if (obs) namespaces.add(MONITORING_NAMESPACE);
  if (mesh && platform.istio.ingressGateway) namespaces.add(ISTIO_INGRESS_NAMESPACE);
  const egressGw = egressGatewayOn(platform) ? egressGatewayPeer() : undefined;
  if (egressGw) namespaces.add(egressGw.namespace);

  const peers: Record<string, Peer> = {};
  const edges: IntentEdge[] = [];
  const workload = (name: string, namespace: string, podLabels: Record<string, string>): string => {
    peers[name] = { kind: "workload", namespace, podLabels: { ...podLabels } };
    return name;
  };
  const edge = (from: string, to: string, ports: number[], protocol: L4Protocol = "TCP"): void => {
    for (const port of ports) edges.push({ from, to, port, protocol, origin: "platform" });
  };

  // External peers: the API server, the nodes, the internet (as a source) and the public
  // internet (as a destination: never private or cluster ranges).
  const apiServer = "kube-apiserver";
  peers[apiServer] = {
    kind: "external",
    host: `the API server of ${cluster.name}`,
    cidrs: [cluster.apiServerCidr!],
    ipBlocks: [{ cidr: cluster.apiServerCidr! }],
  };
  const apiPort = apiServerPort(cluster);
  const internet = "internet";
  peers[internet] = {
    kind: "external",
    host: "any client",
    cidrs: ["0.0.0.0/0"],
    ipBlocks: [{ cidr: "0.0.0.0/0" }],
  };
  const holes = [
    ...new Set([
      ...NON_PUBLIC_IPV4,
      cluster.podCidr,
      cluster.serviceCidr,
      cluster.apiServerCidr!,
      ...(cluster.nodeCidr ? [cluster.nodeCidr] : []),
    ]),
  ].filter((c) => parseCidr(c).family === "ipv4");
  // `except` entries must lie inside the block: all of these lie inside 0.0.0.0/0.
  const acme = "acme-servers";
  peers[acme] = {
    kind: "external",
    host: "ACME servers (public internet)",
    cidrs: complementCidrs(holes),
    ipBlocks: [{ cidr: "0.0.0.0/0", except: holes }],
  };
  const nodes = cluster.nodeCidr ? "nodes" : undefined;
  if (nodes) {
    peers[nodes] = {
      kind: "external",
      host: `the nodes of ${cluster.name}`,
      cidrs: [cluster.nodeCidr!],
      ipBlocks: [{ cidr: cluster.nodeCidr! }],
    };
  }
  const dns = workload("kube-dns", "kube-system", ADDON_POD_LABELS.coreDns);

  // Every pod of each zero-trust namespace resolves names.
  for (const ns of [...namespaces].sort()) {
    const all = workload(`pods@${ns}`, ns, {});
    edge(all, dns, [53], "UDP");
    edge(all, dns, [53], "TCP");
  }

  // cert-manager.
  const cm = workload("cert-manager", CERT_MANAGER_NAMESPACE, ADDON_POD_LABELS.certManagerController);
  const cainjector = workload(
    "cert-manager-cainjector",
    CERT_MANAGER_NAMESPACE,
    ADDON_POD_LABELS.certManagerCainjector,
  );
  const webhook = workload(
    "cert-manager-webhook",
    CERT_MANAGER_NAMESPACE,
    ADDON_POD_LABELS.certManagerWebhook,
  );
  // (The chart's startupapicheck is a Helm hook Job: never created, and switched off.)
  for (const p of [cm, cainjector, webhook]) edge(p, apiServer, [apiPort]);
  edge(apiServer, webhook, [ADDON_PORTS.certManagerWebhook]);
  if (platform.certificates.issuer !== "selfsigned") edge(cm, acme, [443, 80]);

  // The ingress controller. An Istio gateway proxy (gateway-api) also answers the load
  // balancer's health checks on 15021, and reads nothing from the API server (istiod
  // configures it); the NGINX controllers watch Ingresses there.
  const ctl = workload("ingress-controller", ingress.namespace, ingress.podLabels);
  const envoyGateway = platform.ingress.controller === "gateway-api";
  edge(internet, ctl, envoyGateway ? [80, 443, ADDON_PORTS.gatewayStatus] : [80, 443]);
  if (!envoyGateway) edge(ctl, apiServer, [apiPort]);
  if (platform.ingress.controller === "ingress-nginx") {
    edge(apiServer, ctl, [ADDON_PORTS.ingressNginxWebhook]);
  }
  for (const e of app.edges) {
    if (e.source.kind !== "ingress-controller" || e.destination.kind !== "service") continue;
    if (!view.local.has(e.destination.name)) continue;
    workload(e.destination.name, e.destination.namespace, { [NAME_LABEL]: e.destination.name });
    edge(ctl, e.destination.name, [e.podPort], e.protocol);
    if (platform.certificates.issuer !== "selfsigned") {
      const solver = workload(
        `acme-solver@${e.destination.namespace}`,
        e.destination.namespace,
        ACME_SOLVER_LABEL,
      );
      edge(ctl, solver, [ACME_SOLVER_PORT]);
    }
  }

  // The mesh: every sidecar (app pods, the ingress controller) to istiod and to the collector.
  const appPods = localNamespaces(app, view).map((ns) =>
    workload(`app-pods@${ns}`, ns, { [PART_OF_LABEL]: app.spec.namespace }),
  );
  const sidecars = [...appPods, ctl];
  // Istio's classic ingress gateway (istio.ingressGateway): an Envoy reached from the
  // internet; it routes nothing of the app's, so it talks only to the mesh's services.
  if (mesh && platform.istio.ingressGateway) {
    const gw = workload(
      "istio-ingressgateway",
      ISTIO_INGRESS_NAMESPACE,
      ADDON_POD_LABELS.istioIngressGateway,
    );
    edge(internet, gw, [80, 443, ADDON_PORTS.gatewayStatus]);
    sidecars.push(gw);
  }
  // Istio's egress gateway: the app's callers reach it on its TLS port, and it alone
  // reaches the external hosts' ranges, on their ports (lib/addons/istio-egress.ts).
  if (egressGw) {
    const gw = workload(egressGw.name, egressGw.namespace, egressGw.podLabels);
    sidecars.push(gw);
    for (const e of app.edges) {
      const src = e.source;
      const dst = e.destination;
      if (src.kind !== "service" || dst.kind !== "external" || !view.local.has(src.name)) continue;
      workload(src.name, src.namespace, { [NAME_LABEL]: src.name });
      edge(src.name, gw, [egressGw.port], e.protocol);
      peers[dst.name] = {
        kind: "external",
        host: dst.host,
        cidrs: [...dst.cidrs],
        ipBlocks: dst.cidrs.map((cidr) => ({ cidr })),
      };
      edge(gw, dst.name, [dst.port], e.protocol);
    }
  }
  if (mesh) {
    const istiod = workload("istiod", istioNs, ISTIOD_LABELS);
    for (const s of sidecars) edge(s, istiod, [ADDON_PORTS.istiodXds]);
    edge(apiServer, istiod, [ADDON_PORTS.istiodWebhook]);
    edge(istiod, apiServer, [apiPort]);
    // One mesh (multi-primary): istiod watches every other cluster's API server through
    // the remote secret it holds for that cluster (lib/addons/mesh.ts).
    if (oneMesh(platform)) {
      for (const other of platform.clusters.filter((c) => c.name !== cluster.name && c.apiServerCidr)) {
        const remote = `kube-apiserver@${other.name}`;
        peers[remote] = {
          kind: "external",
          host: `the API server of ${other.name}`,
          cidrs: [other.apiServerCidr!],
          ipBlocks: [{ cidr: other.apiServerCidr! }],
        };
        edge(istiod, remote, [apiServerPort(other)]);
      }
    }
    if (kiali) {
      const k = workload("kiali", istioNs, ADDON_POD_LABELS.kiali);
      edge(k, apiServer, [apiPort]);
      edge(k, istiod, [ADDON_PORTS.istiodMonitoring]);
    }
  }
  if (tracing) {
    const j = jaegerPeer();
    const jaeger = workload("tracing", j.namespace, j.podLabels);
    for (const s of sidecars) edge(s, jaeger, [j.port]);
    if (kiali) edge("kiali", jaeger, [ADDON_PORTS.jaegerQueryGrpc]);
  }

  // Monitoring.
  if (prom) {
    const p = prometheusPeer();
    const prometheus = workload("prometheus", p.namespace, p.podLabels);
    const ksm = workload("kube-state-metrics", MONITORING_NAMESPACE, ADDON_POD_LABELS.kubeStateMetrics);
    const op = workload("prometheus-operator", MONITORING_NAMESPACE, ADDON_POD_LABELS.prometheusOperator);
    const am = workload("alertmanager", MONITORING_NAMESPACE, ADDON_POD_LABELS.alertmanager);
    for (const x of [prometheus, ksm, op]) edge(x, apiServer, [apiPort]);
    edge(apiServer, op, [ADDON_PORTS.prometheusOperator]);
    // Its own ServiceMonitor: replicas scrape each other (a pod reaching itself is not a flow).
    edge(prometheus, prometheus, [ADDON_PORTS.prometheus, ADDON_PORTS.prometheusReloader]);
    edge(prometheus, ksm, [ADDON_PORTS.kubeStateMetrics]);
    edge(prometheus, op, [ADDON_PORTS.prometheusOperator]);
    edge(prometheus, am, [ADDON_PORTS.alertmanager, ADDON_PORTS.alertmanagerReloader]);
    edge(prometheus, dns, [ADDON_PORTS.coreDnsMetrics]);
    const nodePorts: number[] = [
      ADDON_PORTS.nodeExporter,
      ADDON_PORTS.kubelet,
      ADDON_PORTS.kubeControllerManager,
      ADDON_PORTS.kubeScheduler,
      ADDON_PORTS.etcdMetrics,
    ];
    if (cluster.kubeProxyMode !== "kube-proxy-replacement") nodePorts.push(ADDON_PORTS.kubeProxyMetrics);
    edge(prometheus, nodes!, nodePorts);
    // Sidecars serve the merged metrics (ISTIO_SIDECAR_SCRAPE).
    if (mesh) for (const s of sidecars) edge(prometheus, s, [ADDON_PORTS.sidecarMetrics]);
    if (grafana) {
      const g = workload("grafana", MONITORING_NAMESPACE, ADDON_POD_LABELS.grafana);
      edge(g, apiServer, [apiPort]); // its dashboard and datasource sidecars watch ConfigMaps
      edge(g, prometheus, [ADDON_PORTS.prometheus]);
      edge(g, am, [ADDON_PORTS.alertmanager]);
      edge(prometheus, g, [ADDON_PORTS.grafana]);
      if (kiali) edge("kiali", g, [ADDON_PORTS.grafana]);
    }
    if (kiali) edge("kiali", prometheus, [ADDON_PORTS.prometheus]);
  }
  return { namespaces: [...namespaces].sort(), peers, edges };
}

type PolicyPeer = Record<string, unknown>;

function policyPeers(p: Peer): PolicyPeer[] {
  if (p.kind === "external")
    return p.ipBlocks.map((b) => ({ ipBlock: { ...b, ...(b.except ? { except: [...b.except] } : {}) } }));
  // Both selectors in one entry: these pods AND in this namespace.
  return [
    {
      namespaceSelector: { matchLabels: { [NS_LABEL]: p.namespace } },
      podSelector: { matchLabels: { ...p.podLabels } },
    },
  ];
}

function dnsName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * The NetworkPolicies of a platform intent: a default-deny per zero-trust namespace, then
 * per (source, destination) pair one egress policy on the source's pods and one ingress
 * policy on the destination's pods, each listing exactly the pair's ports, for the sides
 * that run in a zero-trust namespace (the app's side is compiled by lib/intent.ts).
 */
export function compilePlatformPolicies(pi: PlatformIntent): K8sObject[] {
  const zt = new Set(pi.namespaces);
  const out: K8sObject[] = pi.namespaces.map((ns) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: DEFAULT_DENY_NAME, namespace: ns, labels: platformLabels(PLATFORM_POLICY_COMPONENT) },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  }));
  const pairs = new Map<
    string,
    { from: string; to: string; ports: Array<{ protocol: L4Protocol; port: number }> }
  >();
  for (const e of pi.edges) {
    const key = `${e.from}\u0000${e.to}`;
    const pair = pairs.get(key) ?? { from: e.from, to: e.to, ports: [] };
    if (!pair.ports.some((p) => p.port === e.port && p.protocol === e.protocol)) {
      pair.ports.push({ protocol: e.protocol, port: e.port });
    }
    pairs.set(key, pair);
  }
  const names = new Set<string>();
  for (const { from, to, ports } of pairs.values()) {
    const src = pi.peers[from];
    const dst = pi.peers[to];
    if (!src || !dst) throw new Error(`platform intent: edge ${from} -> ${to} names an unknown peer`);
    for (const direction of ["Egress", "Ingress"] as const) {
      const self = direction === "Egress" ? src : dst;
      const other = direction === "Egress" ? dst : src;
      if (self.kind !== "workload" || !zt.has(self.namespace)) continue;
      const name =
        from === "cert-manager" && to === "acme-servers" && direction === "Egress"
          ? ACME_EGRESS_POLICY
          : dnsName(`allow-${from}-to-${to}-${direction}`);
      const id = `${self.namespace}/${name}`;
      if (names.has(id)) throw new Error(`platform intent: two policies named ${id}`);
      names.add(id);
      const rule = { [direction === "Ingress" ? "from" : "to"]: policyPeers(other), ports };
      out.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: self.namespace, labels: platformLabels(PLATFORM_POLICY_COMPONENT) },
        spec: {
          podSelector: { matchLabels: { ...self.podLabels } },
          policyTypes: [direction],
          [direction === "Ingress" ? "ingress" : "egress"]: [rule],
        },
      });
    }
  }
  return out;
}

function samePeer(a: IntentPeer, b: IntentPeer): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "workload" && b.kind === "workload") {
    return a.namespace === b.namespace && JSON.stringify(a.podLabels) === JSON.stringify(b.podLabels);
  }
  return (
    JSON.stringify((a as { cidrs: string[] }).cidrs) === JSON.stringify((b as { cidrs: string[] }).cidrs)
  );
}

/**
 * The app's intent document with the platform's peers and edges added, and the zero-trust
 * namespaces governed like the app's (after them: the ConfigMap stays in the first app
 * namespace). A peer name both use must mean the same pods or ranges.
 */
export function withPlatformIntent(doc: IntentDocument, pi: PlatformIntent | undefined): IntentDocument {
  if (!pi) return doc;
  const peers: Record<string, IntentPeer> = { ...doc.peers };
  for (const [name, p] of Object.entries(pi.peers)) {
    const peer: IntentPeer =
      p.kind === "workload"
        ? { kind: "workload", namespace: p.namespace, podLabels: { ...p.podLabels } }
        : { kind: "external", host: p.host, cidrs: [...p.cidrs] };
    const have = peers[name];
    if (have && !samePeer(have, peer)) {
      throw new Error(`platform intent: peer "${name}" differs from the app intent's peer of that name`);
    }
    peers[name] = have ?? peer;
  }
  const key = (e: IntentEdge) => `${e.from}\u0000${e.to}\u0000${e.port}\u0000${e.protocol}`;
  const seen = new Set(doc.edges.map(key));
  const edges = [...doc.edges];
  for (const e of pi.edges) {
    if (seen.has(key(e))) continue;
    seen.add(key(e));
    edges.push(e);
  }
  const appNamespaces = [
    ...doc.appNamespaces,
    ...pi.namespaces.filter((n) => !doc.appNamespaces.includes(n)),
  ];
  return { ...doc, appNamespaces, peers, edges };
}
