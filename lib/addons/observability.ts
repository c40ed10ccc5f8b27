/**
 * Observability planning: kube-prometheus-stack (Prometheus, Grafana) in `monitoring`,
 * Jaeger all-in-one beside it, Kiali in Istio's root namespace. Every chart gets a
 * `fullnameOverride`, so Service names and pod labels do not depend on the Helm
 * release name (which Pulumi derives from the resource name, and that differs per cluster).
 */
import { ClusterConfig, PlatformConfig } from "../config";
import { MEDIUM, SMALL, isProd, resources } from "./production";
import { platformPoliciesOn } from "../platform-policy-config";

/** Pod Security's restricted container settings: no privilege gain, no capability, the runtime's seccomp filter. */
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** A restricted container that cannot write its root filesystem nor run as root (merged over a chart's own). */
const LOCKED_DOWN = { ...RESTRICTED, readOnlyRootFilesystem: true, runAsNonRoot: true };

export const MONITORING_NAMESPACE = "monitoring";
/** kube-prometheus-stack names everything `<fullname>-<component>`: kps-prometheus, kps-grafana. */
export const KPS_FULLNAME = "kps";
export const JAEGER_FULLNAME = "jaeger";

/**
 * Grafana's Service. Grafana is a subchart of kube-prometheus-stack, and the parent's
 * `fullnameOverride` does not reach subcharts (they would name it `<release>-grafana`),
 * so the values set the subchart's own `grafana.fullnameOverride` to this.
 */
export const GRAFANA_FULLNAME = `${KPS_FULLNAME}-grafana`;
export const PROMETHEUS_URL = `http://${KPS_FULLNAME}-prometheus.${MONITORING_NAMESPACE}.svc.cluster.local:9090`;
export const GRAFANA_URL = `http://${GRAFANA_FULLNAME}.${MONITORING_NAMESPACE}.svc.cluster.local:80`;
/** Jaeger's query gRPC port (Kiali reads traces over it). */
export const JAEGER_QUERY_URL = `http://${JAEGER_FULLNAME}-query.${MONITORING_NAMESPACE}.svc.cluster.local:16685`;
/** OTLP/gRPC on the all-in-one collector Service, where Istio's sidecars send spans. */
export const JAEGER_OTLP = {
  service: `${JAEGER_FULLNAME}-collector.${MONITORING_NAMESPACE}.svc.cluster.local`,
  port: 4317,
};

/**
 * The Prometheus pods, for the intent compiler's scrape allowance. The operator labels
 * them `app.kubernetes.io/name: prometheus` and `prometheus: <Prometheus CR name>`, and
 * the CR is `<fullname>-prometheus`.
 */
export function prometheusPeer(): { namespace: string; podLabels: Record<string, string> } {
  return {
    namespace: MONITORING_NAMESPACE,
    podLabels: { "app.kubernetes.io/name": "prometheus", prometheus: `${KPS_FULLNAME}-prometheus` },
  };
}

/**
 * Jaeger's all-in-one pods, which receive the sidecars' spans (OTLP/gRPC, JAEGER_OTLP.port)
 * behind the collector Service: for the intent compiler's tracing egress from app pods.
 */
export function jaegerPeer(): { namespace: string; podLabels: Record<string, string>; port: number } {
  return {
    namespace: MONITORING_NAMESPACE,
    podLabels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/component": "all-in-one" },
    port: JAEGER_OTLP.port,
  };
}

/** Whether the platform traces through Jaeger (Istio reads this to add its tracing provider). */
export function tracingEnabled(platform: PlatformConfig): boolean {
  return platform.observability.enabled && platform.observability.jaeger && platform.istio.enabled;
}

/**
 * Istio's sidecars serve the app's and Envoy's metrics merged on 15020/stats/prometheus
 * and advertise it with `prometheus.io/*` pod annotations (meshConfig.enablePrometheusMerge).
 * Port 15020 is outside the mTLS path, so a Prometheus without a sidecar can scrape it.
 * https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging
 */
export const ISTIO_SIDECAR_SCRAPE = {
  job_name: "istio-sidecars",
  kubernetes_sd_configs: [{ role: "pod" }],
  relabel_configs: [
    {
      source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
      action: "keep",
      regex: "true",
    },
    {
      source_labels: ["__meta_kubernetes_pod_annotation_sidecar_istio_io_status"],
      action: "keep",
      regex: ".+",
    },
    {
      source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
      action: "replace",
      target_label: "__metrics_path__",
      regex: "(.+)",
    },
    {
      source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
      action: "replace",
      regex: "([^:]+)(?::\\d+)?;(\\d+)",
      replacement: "$1:$2",
      target_label: "__address__",
    },
    { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "namespace" },
    { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
  ],
};

/** Name of the Secret holding Grafana's admin credentials, when the stack supplies a password. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/**
 * kube-prometheus-stack values for one cluster. `grafanaAdminSecret`: use that Secret's
 * admin-user / admin-password; without it the chart's fixed default password is removed
 * (null), so the Grafana chart generates one (which changes on every render: supply a
 * password). Where Cilium replaces kube-proxy there is no kube-proxy to scrape, and
 * scraping it anyway would fire KubeProxyDown forever.
 */
export function kubePrometheusStackValues(
  cluster: ClusterConfig,
  platform: PlatformConfig,
  grafanaAdminSecret?: string,
): Record<string, unknown> {
  const o = platform.observability;
  return {
    fullnameOverride: KPS_FULLNAME,
    kubeProxy: { enabled: cluster.kubeProxyMode !== "kube-proxy-replacement" },
    prometheus: {
      enabled: o.prometheus,
      prometheusSpec: {
        // Select every ServiceMonitor/PodMonitor, not just those labelled with this release.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        // And every PrometheusRule (the platform's alerts, lib/alerts.ts), not only those
        // labelled `release: <Helm release>`, a name Pulumi derives per cluster.
        ruleSelectorNilUsesHelmValues: false,
        additionalScrapeConfigs: platform.istio.enabled ? [ISTIO_SIDECAR_SCRAPE] : [],
      },
    },
    prometheusOperator: {
      // The operator serves its admission webhook with the TLS Secret `kps-admission`. The
      // chart makes it with Helm hook Jobs by default, which the v4 Chart never runs (hooks
      // are off), so the operator would wait forever for the Secret. cert-manager (always
      // installed) issues it instead: the chart's own self-signed Issuer, CA Certificate and
      // serving Certificate, and its cainjector fills the webhooks' caBundle.
      admissionWebhooks: {
        certManager: { enabled: true },
        // As with the chart's hook Jobs: until the operator serves, a PrometheusRule is admitted
        // unvalidated (the operator still drops a bad rule when it loads it), so the first
        // `up` does not fail on a webhook nobody answers yet.
        failurePolicy: "Ignore",
      },
      ...(isProd(platform) ? { resources: MEDIUM } : {}),
    },
    ...(isProd(platform) ? { "kube-state-metrics": { resources: MEDIUM } } : {}),
    // node-exporter reads the host (host network and PID namespaces, / mounted read-only):
    // the policy pack exempts exactly that; the rest of the restricted level it meets.
    "prometheus-node-exporter": {
      containerSecurityContext: { ...RESTRICTED, readOnlyRootFilesystem: true },
      ...(isProd(platform) ? { resources: SMALL } : {}),
    },
    grafana: {
      enabled: o.grafana,
      fullnameOverride: GRAFANA_FULLNAME,
      // Grafana writes only to its storage volume and /tmp; the dashboard sidecars to theirs.
      containerSecurityContext: { readOnlyRootFilesystem: true },
      extraEmptyDirMounts: [{ name: "tmp", mountPath: "/tmp" }],
      sidecar: {
        securityContext: { readOnlyRootFilesystem: true },
        ...(isProd(platform) ? { resources: SMALL } : {}),
      },
      // The chart's `helm test` pod is not part of the platform.
      testFramework: { enabled: false },
      ...(isProd(platform) ? { resources: MEDIUM } : {}),
      ...(grafanaAdminSecret
        ? {
            admin: {
              existingSecret: grafanaAdminSecret,
              userKey: "admin-user",
              passwordKey: "admin-password",
            },
          }
        : { adminPassword: null }),
    },
  };
}

/** Jaeger all-in-one with in-memory storage: no Cassandra/Elasticsearch provisioned. */
export function jaegerValues(platform: PlatformConfig): Record<string, unknown> {
  return {
    fullnameOverride: JAEGER_FULLNAME,
    provisionDataStore: { cassandra: false, elasticsearch: false, kafka: false },
    storage: { type: "memory" },
    allInOne: {
      enabled: true,
      securityContext: LOCKED_DOWN,
      // In-memory trace storage: the memory limit bounds how many traces it keeps.
      ...(isProd(platform) ? { resources: resources("100m", "256Mi", "1", "1Gi") } : {}),
    },
    agent: { enabled: false },
    collector: { enabled: false },
    query: { enabled: false },
  };
}

/** kiali-server values: Istio's root namespace, our Prometheus, Jaeger and Grafana. */
export function kialiValues(platform: PlatformConfig): Record<string, unknown> {
  const o = platform.observability;
  return {
    istio_namespace: platform.istio.rootNamespace,
    auth: { strategy: "token" },
    deployment: {
      cluster_wide_access: true,
      // Replaces the chart's own container securityContext (same settings), plus seccomp.
      security_context: { ...LOCKED_DOWN, privileged: false },
      // The chart's policy admits anyone to Kiali's ports; the zero-trust platform policies
      // (lib/platform-intent.ts) replace it with what Kiali needs.
      ...(platformPoliciesOn(platform) ? { network_policy: { enabled: false } } : {}),
      ...(isProd(platform) ? { resources: resources("10m", "64Mi", "500m", "1Gi") } : {}),
    },
    external_services: {
      istio: { root_namespace: platform.istio.rootNamespace },
      prometheus: { url: PROMETHEUS_URL },
      tracing: { enabled: o.jaeger, provider: "jaeger", internal_url: JAEGER_QUERY_URL, use_grpc: true },
      grafana: { enabled: o.grafana, internal_url: GRAFANA_URL },
    },
  };
}
