/**
 * The intent as the policy pack reads it back (the intent document), and the
 * ConfigMap that carries it in the first app namespace.
 */
import { K8sObject, platformLabels } from "../k8s-object";
import { ClusterView, ingressNamespaces, localNamespaces, singleCluster } from "./cluster-view";
import {
  INTENT_CONFIGMAP_KEY,
  INTENT_CONFIGMAP_NAME,
  INTENT_LABEL,
  type IntentDocument,
  type IntentEdge,
  type IntentPeer,
} from "@k8s-netplat/contract";
import { ResolvedApp, namespaceOf } from "./edges";
import { ISTIOD_LABELS, NAME_LABEL } from "./labels";
import { DEFAULT_DNS, PolicyOptions } from "./options";

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
      host: `${name} (${role === "client" ? "clients" : view.remoteDial === "pod" ? "pods" : "exported service"} on another cluster)`,
      cidrs,
    };
    return id;
  };
  for (const e of app.edges) {
    const srcLocal = e.source.kind !== "service" || view.local.has(e.source.name);
    const dstLocal = e.destination.kind !== "service" || view.local.has(e.destination.name);
    if (srcLocal && e.destination.kind === "external" && opts.egressGateway) {
      // The caller reaches the egress gateway; the gateway -> host flow is the platform's.
      const gw = opts.egressGateway;
      peers[gw.name] = { kind: "workload", namespace: gw.namespace, podLabels: { ...gw.podLabels } };
      const dup = edges.some(
        (x) => x.from === e.from && x.to === gw.name && x.port === gw.port && x.protocol === e.protocol,
      );
      if (!dup) edges.push({ from: e.from, to: gw.name, port: gw.port, protocol: e.protocol, origin: "app" });
    } else if (srcLocal && dstLocal) {
      edges.push({ from: e.from, to: e.to, port: e.podPort, protocol: e.protocol, origin: "app" });
    } else if (srcLocal && e.source.kind === "service") {
      const to = remotePeer(e.to, "service");
      const port = view.remoteDial === "pod" ? e.podPort : e.port;
      if (to) edges.push({ from: e.from, to, port, protocol: e.protocol, origin: "app" });
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
