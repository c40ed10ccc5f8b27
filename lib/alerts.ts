/**
 * Alerts of one cluster, as Prometheus rule groups and the objects that carry them:
 * a PrometheusRule the kube-prometheus-stack operator loads (its Prometheus selects
 * every PrometheusRule: `ruleSelectorNilUsesHelmValues: false` in
 * lib/addons/observability.ts) and the PodMonitors that make the metrics exist
 * (cert-manager's controller, Cilium's agent and Hubble, which no chart of the platform
 * has Prometheus scrape). Pure functions; components/alerts.ts creates the objects.
 *
 * What is alerted on, with the metric each reads:
 * - traffic dropped by NetworkPolicy, where the CNI counts it: Cilium's Hubble
 *   (`hubble_drop_total`, by source and destination workload) or, with Hubble's metrics
 *   off, Cilium's agent (`cilium_drop_count_total`). Calico Open Source (v3.30) exports
 *   no denied-packet counter (`calico_denied_packets` is Calico Enterprise's) and Flannel
 *   enforces nothing, so their clusters get no drop alert;
 * - cert-manager Certificates close to expiry (`certmanager_certificate_expiration_timestamp_seconds`);
 * - requests reaching a workload without mutual TLS while the mesh is STRICT
 *   (`istio_requests_total{connection_security_policy!="mutual_tls"}`, as the receiving
 *   sidecar reports it): a STRICT sidecar refuses plaintext, so any such request means
 *   a PeerAuthentication or a port exclusion weakened it;
 * - error ratio and latency of every declared HTTP edge whose destination runs on this
 *   cluster, generated from the same resolved edges the intent compiler uses (a new
 *   edge gets its alerts), matched by the caller's SPIFFE principal as the destination's
 *   sidecar reports it.
 */
import { PlatformConfig } from "./config";
import { ResolvedApp, ResolvedEdge, principal } from "./intent";
import { K8sObject, platformLabels } from "./k8s-object";
import { ingressPeer } from "./addons/ingress";
import { MONITORING_NAMESPACE } from "./addons/observability";
import { CERT_MANAGER_NAMESPACE } from "./addons/cert-manager";
import { servicesOn } from "./placement";
import { portsOf } from "./workload";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

export const PROMETHEUS_RULE_NAME = "netplat-alerts";
/** Cilium's agent pods (kube-system), as its chart labels them. */
const CILIUM_AGENT_LABELS = { "k8s-app": "cilium" };
const CILIUM_NAMESPACE = "kube-system";
/** cert-manager's controller pods, which serve the certificate metrics on `http-metrics`. */
const CERT_MANAGER_CONTROLLER_LABELS = {
  "app.kubernetes.io/name": "cert-manager",
  "app.kubernetes.io/component": "controller",
};

/**
 * Hubble's drop metric with the workloads on both sides as labels. The chart's
 * `hubble.metrics.enabled` takes this string (lib/addons/cni.ts).
 */
export const HUBBLE_DROP_METRIC =
  "drop:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload";

/** Drop reasons that mean "a policy said no": Hubble names them by enum, the agent by text. */
const HUBBLE_POLICY_REASONS = "POLICY_DENIED|POLICY_DENY";
const AGENT_POLICY_REASONS = "Policy denied|Policy denied by denylist";

/** Whether the platform evaluates alerts at all (observability with Prometheus, alerts on). */
export function alertsEnabled(platform: PlatformConfig): boolean {
  const o = platform.observability;
  return o.enabled && o.prometheus && o.alerts.enabled;
}

/** A PromQL string literal (double-quoted, escaped). */
function q(v: string): string {
  return JSON.stringify(v);
}

function selector(matchers: Record<string, string>, extra: string[] = []): string {
  return `{${[...Object.entries(matchers).map(([k, v]) => `${k}=${q(v)}`), ...extra].join(",")}}`;
}

function policyDropRules(platform: PlatformConfig, cni: string): AlertRule[] {
  if (cni !== "cilium") return [];
  const a = platform.observability.alerts;
  const w = a.rateWindow;
  const labels = { severity: "warning", component: "network-policy" };
  if (platform.observability.hubble) {
    return [
      {
        alert: "NetworkPolicyDropping",
        expr:
          "sum by (source_namespace, source_workload, destination_namespace, destination_workload) " +
          `(rate(hubble_drop_total{reason=~${q(HUBBLE_POLICY_REASONS)}}[${w}])) > ${a.policyDrops.packetsPerSecond}`,
        for: a.policyDrops.for,
        labels,
        annotations: {
          summary:
            "NetworkPolicy drops traffic from {{ $labels.source_namespace }}/{{ $labels.source_workload }} " +
            "to {{ $labels.destination_namespace }}/{{ $labels.destination_workload }}",
          description:
            `{{ $value | humanize }} packets/s dropped by policy (threshold ${a.policyDrops.packetsPerSecond}/s, Hubble). ` +
            "Either a caller is not declared in app.edges or a declared edge is not compiled; compare `npm run topology`.",
        },
      },
    ];
  }
  return [
    {
      alert: "NetworkPolicyDropping",
      expr:
        "sum by (direction) " +
        `(rate(cilium_drop_count_total{reason=~${q(AGENT_POLICY_REASONS)}}[${w}])) > ${a.policyDrops.packetsPerSecond}`,
      for: a.policyDrops.for,
      labels,
      annotations: {
        summary: "NetworkPolicy drops {{ $labels.direction }} traffic",
        description:
          `{{ $value | humanize }} packets/s dropped by policy (threshold ${a.policyDrops.packetsPerSecond}/s, Cilium agent). ` +
          "Turn observability.hubble on to see which workloads.",
      },
    },
  ];
}

function certificateRules(platform: PlatformConfig): AlertRule[] {
  const c = platform.observability.alerts.certificateExpiry;
  const rule = (alert: string, days: number, severity: string): AlertRule => ({
    alert,
    expr: `certmanager_certificate_expiration_timestamp_seconds - time() < ${days * 86400}`,
    for: c.for,
    labels: { severity, component: "certificates" },
    annotations: {
      summary:
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}",
      description:
        `Less than ${days} days left and cert-manager has not renewed it (issuer {{ $labels.issuer_name }}); ` +
        "see `kubectl describe certificate` and the CertificateRequest it made.",
    },
  });
  return [
    rule("CertificateExpiringSoon", c.warningDays, "warning"),
    rule("CertificateExpiryCritical", c.criticalDays, "critical"),
  ];
}

function plaintextRules(platform: PlatformConfig): AlertRule[] {
  if (!platform.istio.enabled || platform.istio.mtlsMode !== "STRICT") return [];
  const p = platform.observability.alerts.plaintext;
  return [
    {
      alert: "PlaintextToStrictWorkload",
      expr:
        "sum by (destination_workload_namespace, destination_workload) " +
        `(rate(istio_requests_total{reporter="destination",connection_security_policy!="mutual_tls"}[${platform.observability.alerts.rateWindow}])) > ${p.requestsPerSecond}`,
      for: p.for,
      labels: { severity: "critical", component: "mesh" },
      annotations: {
        summary:
          "{{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }} accepts requests without mutual TLS",
        description:
          "The mesh is STRICT, yet this workload's sidecar reports {{ $value | humanize }} requests/s without mTLS: " +
          "a PeerAuthentication or a port exclusion has weakened it.",
      },
    },
  ];
}

/** The app edges this cluster's Prometheus sees as HTTP requests: HTTP destinations running here. */
export function httpEdges(platform: PlatformConfig, app: ResolvedApp, clusterName: string): ResolvedEdge[] {
  const cluster = platform.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`no cluster named "${clusterName}"`);
  const local = servicesOn(cluster, app);
  return app.edges.filter((e) => {
    if (e.destination.kind !== "service" || !local.has(e.destination.name)) return false;
    if (e.source.kind === "external") return false;
    const port = portsOf(e.destination.service).find((p) => p.servicePort === e.port);
    return e.protocol === "TCP" && port?.name === "http";
  });
}

/** `source -> destination:port`, as the edge is declared. */
export function edgeLabel(e: ResolvedEdge): string {
  return `${e.from} -> ${e.to}:${e.port}`;
}

/** Istio's labels that pick out one edge's requests, as the destination's sidecar reports them. */
export function edgeMatchers(platform: PlatformConfig, e: ResolvedEdge): Record<string, string> {
  if (e.destination.kind !== "service") throw new Error(`${edgeLabel(e)}: not a service destination`);
  const td = platform.istio.trustDomain;
  let caller: string;
  if (e.source.kind === "ingress-controller") {
    const peer = ingressPeer(platform);
    caller = principal(td, peer.namespace, peer.serviceAccount);
  } else if (e.source.kind === "service") {
    caller = principal(td, e.source.namespace, e.source.name);
  } else {
    throw new Error(`${edgeLabel(e)}: an external host starts no edge`);
  }
  return {
    reporter: "destination",
    source_principal: `spiffe://${caller}`,
    destination_service_namespace: e.destination.namespace,
    destination_service_name: e.destination.name,
  };
}

function edgeRules(platform: PlatformConfig, app: ResolvedApp, clusterName: string): AlertRule[] {
  if (!platform.istio.enabled) return [];
  const a = platform.observability.alerts;
  const cfg = a.edges;
  const w = a.rateWindow;
  return httpEdges(platform, app, clusterName).flatMap((e) => {
    const m = edgeMatchers(platform, e);
    const labels = { component: "app-edge", edge: edgeLabel(e), source: e.from, destination: e.to };
    const errors = `sum(rate(istio_requests_total${selector(m, ['response_code=~"5.."'])}[${w}]))`;
    const all = `sum(rate(istio_requests_total${selector(m)}[${w}]))`;
    const buckets = `sum by (le) (rate(istio_request_duration_milliseconds_bucket${selector(m)}[${w}]))`;
    const pct = Math.round(cfg.errorRatio * 10000) / 100;
    const quantile = `p${Math.round(cfg.latencyQuantile * 1000) / 10}`;
    return [
      {
        alert: "AppEdgeErrorRate",
        expr: `(${errors} / ${all}) > ${cfg.errorRatio}`,
        for: cfg.for,
        labels: { ...labels, severity: "critical" },
        annotations: {
          summary: `${edgeLabel(e)}: {{ $value | humanizePercentage }} of requests fail`,
          description: `More than ${pct}% of the requests ${e.from} sends to ${e.to} get a 5xx answer (as ${e.to}'s sidecar reports them).`,
        },
      },
      {
        alert: "AppEdgeLatencyHigh",
        expr: `histogram_quantile(${cfg.latencyQuantile}, ${buckets}) > ${cfg.latencyMs}`,
        for: cfg.for,
        labels: { ...labels, severity: "warning" },
        annotations: {
          summary: `${edgeLabel(e)}: ${quantile} latency {{ $value | printf "%.0f" }}ms`,
          description: `The ${quantile} latency of ${e.from}'s requests to ${e.to} is above ${cfg.latencyMs}ms.`,
        },
      },
    ];
  });
}

/** Every rule group of one cluster; empty when alerts are off. */
export function alertRuleGroups(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
): RuleGroup[] {
  if (!alertsEnabled(platform)) return [];
  const cluster = platform.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`no cluster named "${clusterName}"`);
  const groups: RuleGroup[] = [
    { name: "netplat-network-policy", rules: policyDropRules(platform, cluster.cni) },
    { name: "netplat-certificates", rules: certificateRules(platform) },
    { name: "netplat-mesh-mtls", rules: plaintextRules(platform) },
    { name: "netplat-app-edges", rules: edgeRules(platform, app, clusterName) },
  ];
  return groups.filter((g) => g.rules.length > 0);
}

/** The rule groups as a Prometheus rule file (what `promtool check rules` reads). */
export function ruleFile(groups: RuleGroup[]): { groups: RuleGroup[] } {
  return { groups };
}

/** The PrometheusRule, and the PodMonitors that make its metrics exist, of one cluster. */
export function alertObjects(platform: PlatformConfig, app: ResolvedApp, clusterName: string): K8sObject[] {
  const groups = alertRuleGroups(platform, app, clusterName);
  if (groups.length === 0) return [];
  const cluster = platform.clusters.find((c) => c.name === clusterName)!;
  const out: K8sObject[] = [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: {
        name: PROMETHEUS_RULE_NAME,
        namespace: MONITORING_NAMESPACE,
        labels: platformLabels("alerts"),
      },
      spec: { groups },
    },
    podMonitor("cert-manager", CERT_MANAGER_NAMESPACE, CERT_MANAGER_CONTROLLER_LABELS, ["http-metrics"]),
  ];
  if (cluster.cni === "cilium") {
    out.push(
      podMonitor(
        "cilium-agent",
        CILIUM_NAMESPACE,
        CILIUM_AGENT_LABELS,
        platform.observability.hubble ? ["prometheus", "hubble-metrics"] : ["prometheus"],
      ),
    );
  }
  return out;
}

function podMonitor(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  ports: string[],
): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name, namespace: MONITORING_NAMESPACE, labels: platformLabels("alerts") },
    spec: {
      namespaceSelector: { matchNames: [namespace] },
      selector: { matchLabels: labels },
      podMetricsEndpoints: ports.map((port) => ({ port })),
    },
  };
}
