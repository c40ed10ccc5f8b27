/**
 * NetworkPolicies from the resolved intent. Two Kubernetes semantics shape this file:
 * - A NetworkPolicy port is the *pod's* port, not the Service port: a Service
 *   80 -> targetPort 8080 needs `port: 8080` in the policy. Edges name Service
 *   ports (what clients dial); resolving the edges (./edges.ts) translates.
 *   https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
 * - Traffic flows only when the source's egress AND the destination's ingress allow
 *   it, so every edge yields two policies, each on exactly one port. The seed
 *   article's `podSelector: {}` sample admits frontend to every pod in the namespace
 *   on both ports; nothing here selects wider than one workload.
 */
import { K8sObject, LabelSelector, platformLabels } from "../k8s-object";
import { ClusterView, ingressNamespaces, localNamespaces, singleCluster } from "./cluster-view";
import type { NetworkPolicyPeer, NetworkPolicyPort } from "@k8s-netplat/contract";
import { ResolvedApp, ResolvedEdge } from "./edges";
import {
  DEFAULT_DENY_NAME,
  ISTIOD_LABELS,
  NAMESPACE_NAME_LABEL,
  NAME_LABEL,
  PART_OF_LABEL,
  selectorFor,
} from "./labels";
import { DEFAULT_DNS, PolicyOptions } from "./options";

// The NetworkPolicy shapes are defined once, with the pack, in the shared package.
export type { NetworkPolicyPeer, NetworkPolicyPort } from "@k8s-netplat/contract";

function podPeer(namespace: string, labels: Record<string, string>): NetworkPolicyPeer {
  // Both selectors in ONE peer entry: pods with these labels AND in this namespace.
  // As two list items they would mean "these pods in the policy's namespace OR every pod there".
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    podSelector: { matchLabels: labels },
  };
}

function networkPolicy(
  name: string,
  namespace: string,
  podSelector: LabelSelector,
  direction: "Ingress" | "Egress",
  peers: NetworkPolicyPeer[],
  ports: NetworkPolicyPort[],
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

function edgeName(e: ResolvedEdge, direction: "ingress" | "egress"): string {
  return `allow-${e.from}-to-${e.to}-${e.protocol.toLowerCase()}-${e.port}-${direction}`;
}

/** The namespace's default-deny: both types listed with no rules, nothing in or out until an allow adds it. */
export function defaultDeny(namespace: string): K8sObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: DEFAULT_DENY_NAME, namespace, labels: platformLabels("traffic-intent") },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
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
    out.push(defaultDeny(ns));
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
      let to: NetworkPolicyPeer[] = [];
      let egressPort = port;
      if (dst.kind === "service") {
        if (view.local.has(dst.name)) {
          to = [podPeer(dst.namespace, { [NAME_LABEL]: dst.name })];
        } else {
          // A remote service is dialled at its (global) service address on the Service port:
          // no local kube-proxy translates it to a pod port before the policy sees it. In one
          // mesh the sidecar dials the remote pods directly, on the pod port.
          to = view.remoteServiceCidrs(dst.name).map((cidr) => ({ ipBlock: { cidr } }));
          if (view.remoteDial !== "pod") egressPort = { protocol: e.protocol, port: e.port };
        }
      } else if (dst.kind === "external" && opts.egressGateway) {
        // Through the egress gateway: only it reaches the host's ranges (lib/platform-intent.ts).
        const gw = opts.egressGateway;
        to = [podPeer(gw.namespace, gw.podLabels)];
        egressPort = { protocol: e.protocol, port: gw.port };
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
      let from: NetworkPolicyPeer[] = [];
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
