/**
 * Grafana dashboards of one cluster, generated here from the platform config and the
 * resolved app edges: the mesh (traffic, mutual TLS, policy drops, certificates) and
 * the app's edges (a row per declared edge whose destination runs on the cluster). They
 * ship as ConfigMaps labelled the way kube-prometheus-stack's Grafana sidecar looks for
 * (`grafana.sidecar.dashboards.label: grafana_dashboard`, `labelValue: "1"`, every
 * namespace), and query the datasource the chart provisions (uid `prometheus`).
 */
import { PlatformConfig } from "./config";
import { ResolvedApp, ResolvedEdge } from "./intent";
import { K8sObject, platformLabels } from "./k8s-object";
import { MONITORING_NAMESPACE } from "./addons/observability";
import { edgeLabel, edgeMatchers, httpEdges } from "./alerts";
import { servicesOn } from "./placement";

/** The label (and value) kube-prometheus-stack's Grafana sidecar loads dashboards from. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" };
/** The uid of the Prometheus datasource kube-prometheus-stack provisions. */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" };

export interface Dashboard {
  uid: string;
  title: string;
  [key: string]: unknown;
}

interface Target {
  expr: string;
  legendFormat: string;
}

type Panel = Record<string, unknown>;

/** Lays panels out on Grafana's 24-column grid, `perRow` to a row, rows as they come. */
class Layout {
  private y = 0;
  private x = 0;
  private rowHeight = 0;
  readonly panels: Panel[] = [];
  private id = 1;

  row(title: string): void {
    this.newLine();
    this.panels.push({
      type: "row",
      title,
      id: this.id++,
      collapsed: false,
      gridPos: { x: 0, y: this.y, w: 24, h: 1 },
    });
    this.y += 1;
  }

  add(panel: Panel, w: number, h = 8): void {
    if (this.x + w > 24) this.newLine();
    this.panels.push({ ...panel, id: this.id++, gridPos: { x: this.x, y: this.y, w, h } });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
  }

  private newLine(): void {
    if (this.x > 0) this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

function timeseries(
  title: string,
  targets: Target[],
  unit: string,
  description: string,
  threshold?: number,
): Panel {
  return {
    type: "timeseries",
    title,
    description,
    datasource: PROMETHEUS_DATASOURCE,
    targets: targets.map((t, i) => ({
      datasource: PROMETHEUS_DATASOURCE,
      refId: String.fromCharCode(65 + i),
      expr: t.expr,
      legendFormat: t.legendFormat,
    })),
    fieldConfig: {
      defaults: {
        unit,
        ...(threshold === undefined
          ? {}
          : {
              custom: { thresholdsStyle: { mode: "line" } },
              thresholds: {
                mode: "absolute",
                steps: [
                  { color: "green", value: null },
                  { color: "red", value: threshold },
                ],
              },
            }),
      },
      overrides: [],
    },
    options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
  };
}

function text(title: string, content: string): Panel {
  return { type: "text", title, options: { mode: "markdown", content } };
}

function dashboard(uid: string, title: string, tags: string[], panels: Panel[]): Dashboard {
  return {
    uid,
    title,
    tags: ["k8s-netplat", ...tags],
    editable: false,
    schemaVersion: 39,
    time: { from: "now-1h", to: "now" },
    refresh: "30s",
    timezone: "browser",
    panels,
  };
}

function sel(m: Record<string, string>, extra: string[] = []): string {
  return `{${[...Object.entries(m).map(([k, v]) => `${k}=${JSON.stringify(v)}`), ...extra].join(",")}}`;
}

/** The mesh of one cluster: traffic and mTLS by workload, policy drops, certificate lifetimes. */
export function meshDashboard(platform: PlatformConfig, clusterName: string): Dashboard {
  const cluster = platform.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new Error(`no cluster named "${clusterName}"`);
  const l = new Layout();
  const a = platform.observability.alerts;
  const dest = 'reporter="destination"';
  if (platform.istio.enabled) {
    l.row("Mesh traffic");
    l.add(
      timeseries(
        "Requests by destination workload",
        [
          {
            expr: `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${dest}}[$__rate_interval]))`,
            legendFormat: "{{destination_workload_namespace}}/{{destination_workload}}",
          },
        ],
        "reqps",
        "Requests each workload's sidecar received.",
      ),
      12,
    );
    l.add(
      timeseries(
        "5xx share by destination workload",
        [
          {
            expr:
              `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${dest},response_code=~"5.."}[$__rate_interval]))` +
              ` / sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${dest}}[$__rate_interval]))`,
            legendFormat: "{{destination_workload_namespace}}/{{destination_workload}}",
          },
        ],
        "percentunit",
        "Share of requests answered with a 5xx.",
      ),
      12,
    );
    l.row(`Mutual TLS (mesh mode ${platform.istio.mtlsMode})`);
    l.add(
      timeseries(
        "Share of requests over mutual TLS",
        [
          {
            expr:
              `sum(rate(istio_requests_total{${dest},connection_security_policy="mutual_tls"}[$__rate_interval]))` +
              ` / sum(rate(istio_requests_total{${dest}}[$__rate_interval]))`,
            legendFormat: "mutual TLS",
          },
        ],
        "percentunit",
        "1 (100%) in a STRICT mesh.",
      ),
      12,
    );
    l.add(
      timeseries(
        "Requests without mutual TLS by workload",
        [
          {
            expr: `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${dest},connection_security_policy!="mutual_tls"}[$__rate_interval]))`,
            legendFormat: "{{destination_workload_namespace}}/{{destination_workload}}",
          },
        ],
        "reqps",
        "The PlaintextToStrictWorkload alert fires on these when the mesh is STRICT.",
        platform.istio.mtlsMode === "STRICT" ? a.plaintext.requestsPerSecond : undefined,
      ),
      12,
    );
  }
  l.row("Traffic dropped by NetworkPolicy");
  if (cluster.cni === "cilium" && platform.observability.hubble) {
    l.add(
      timeseries(
        "Policy drops by workload pair (Hubble)",
        [
          {
            expr:
              "sum by (source_namespace, source_workload, destination_namespace, destination_workload) " +
              '(rate(hubble_drop_total{reason=~"POLICY_DENIED|POLICY_DENY"}[$__rate_interval]))',
            legendFormat:
              "{{source_namespace}}/{{source_workload}} → {{destination_namespace}}/{{destination_workload}}",
          },
        ],
        "pps",
        "Packets Cilium dropped because no policy allowed them.",
        a.policyDrops.packetsPerSecond,
      ),
      24,
    );
  } else if (cluster.cni === "cilium") {
    l.add(
      timeseries(
        "Policy drops by direction (Cilium agent)",
        [
          {
            expr: 'sum by (direction) (rate(cilium_drop_count_total{reason=~"Policy denied|Policy denied by denylist"}[$__rate_interval]))',
            legendFormat: "{{direction}}",
          },
        ],
        "pps",
        "Packets Cilium dropped because no policy allowed them.",
        a.policyDrops.packetsPerSecond,
      ),
      24,
    );
  } else {
    l.add(
      text(
        "Policy drops",
        cluster.cni === "calico"
          ? "Calico Open Source exports no counter of packets denied by policy (that metric is Calico Enterprise's); " +
              "use `calicoctl` or Calico's flow logs to see what is dropped."
          : "Flannel does not enforce NetworkPolicy, so nothing is dropped by policy on this cluster.",
      ),
      24,
      4,
    );
  }
  l.row("Certificates (cert-manager)");
  l.add(
    timeseries(
      "Days until certificate expiry",
      [
        {
          expr: "(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400",
          legendFormat: "{{namespace}}/{{name}}",
        },
      ],
      "d",
      `The CertificateExpiringSoon alert fires under ${a.certificateExpiry.warningDays} days, CertificateExpiryCritical under ${a.certificateExpiry.criticalDays}.`,
      a.certificateExpiry.warningDays,
    ),
    24,
  );
  return dashboard("netplat-mesh", `Mesh (${clusterName})`, ["mesh"], l.panels);
}

/** The app's edges whose destination runs on this cluster (those its sidecars report). */
function localEdges(platform: PlatformConfig, app: ResolvedApp, clusterName: string): ResolvedEdge[] {
  const cluster = platform.clusters.find((c) => c.name === clusterName)!;
  const local = servicesOn(cluster, app);
  return app.edges.filter(
    (e) => e.destination.kind === "service" && local.has(e.destination.name) && e.source.kind !== "external",
  );
}

/**
 * A row per declared edge into this cluster: requests, 5xx share and latency for HTTP
 * edges (thresholds of the edge alerts drawn as lines), bytes and connections for TCP ones.
 */
export function appEdgesDashboard(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
): Dashboard {
  const l = new Layout();
  const cfg = platform.observability.alerts.edges;
  const http = new Set(httpEdges(platform, app, clusterName));
  const edges = platform.istio.enabled ? localEdges(platform, app, clusterName) : [];
  if (!platform.istio.enabled) {
    l.add(
      text("App edges", "The edges' metrics come from Istio's sidecars, and Istio is off on this stack."),
      24,
      4,
    );
  }
  for (const e of edges) {
    const m = edgeMatchers(platform, e);
    l.row(edgeLabel(e));
    if (http.has(e)) {
      const q = (cfgQ: number) => Math.round(cfgQ * 1000) / 10;
      l.add(
        timeseries(
          "Requests",
          [
            {
              expr: `sum by (response_code) (rate(istio_requests_total${sel(m)}[$__rate_interval]))`,
              legendFormat: "{{response_code}}",
            },
          ],
          "reqps",
          `Requests ${e.from} sends to ${e.to}, by response code.`,
        ),
        8,
      );
      l.add(
        timeseries(
          "5xx share",
          [
            {
              expr:
                `sum(rate(istio_requests_total${sel(m, ['response_code=~"5.."'])}[$__rate_interval]))` +
                ` / sum(rate(istio_requests_total${sel(m)}[$__rate_interval]))`,
              legendFormat: "5xx",
            },
          ],
          "percentunit",
          `The AppEdgeErrorRate alert fires above ${cfg.errorRatio}.`,
          cfg.errorRatio,
        ),
        8,
      );
      const quantiles = [...new Set([0.5, cfg.latencyQuantile])];
      l.add(
        timeseries(
          "Latency",
          quantiles.map((qq) => ({
            expr: `histogram_quantile(${qq}, sum by (le) (rate(istio_request_duration_milliseconds_bucket${sel(m)}[$__rate_interval])))`,
            legendFormat: `p${q(qq)}`,
          })),
          "ms",
          `The AppEdgeLatencyHigh alert fires when p${q(cfg.latencyQuantile)} is above ${cfg.latencyMs}ms.`,
          cfg.latencyMs,
        ),
        8,
      );
    } else {
      l.add(
        timeseries(
          "Bytes",
          [
            {
              expr: `sum(rate(istio_tcp_received_bytes_total${sel(m)}[$__rate_interval]))`,
              legendFormat: "received",
            },
            {
              expr: `sum(rate(istio_tcp_sent_bytes_total${sel(m)}[$__rate_interval]))`,
              legendFormat: "sent",
            },
          ],
          "Bps",
          `TCP bytes between ${e.from} and ${e.to} (${e.protocol} ${e.port}), as ${e.to}'s sidecar counts them.`,
        ),
        12,
      );
      l.add(
        timeseries(
          "Connections opened",
          [
            {
              expr: `sum(rate(istio_tcp_connections_opened_total${sel(m)}[$__rate_interval]))`,
              legendFormat: "opened",
            },
          ],
          "cps",
          `Connections ${e.from} opens to ${e.to}.`,
        ),
        12,
      );
    }
  }
  return dashboard("netplat-app-edges", `App edges (${clusterName})`, ["app", "edges"], l.panels);
}

/** Whether the platform provisions dashboards (observability with Grafana, dashboards on). */
export function dashboardsEnabled(platform: PlatformConfig): boolean {
  const o = platform.observability;
  return o.enabled && o.grafana && o.dashboards;
}

/** The dashboards of one cluster as ConfigMaps for the Grafana sidecar; empty when off. */
export function dashboardObjects(
  platform: PlatformConfig,
  app: ResolvedApp,
  clusterName: string,
): K8sObject[] {
  if (!dashboardsEnabled(platform)) return [];
  return [meshDashboard(platform, clusterName), appEdgesDashboard(platform, app, clusterName)].map((d) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `${d.uid}-dashboard`,
      namespace: MONITORING_NAMESPACE,
      labels: platformLabels("dashboards", GRAFANA_DASHBOARD_LABEL),
    },
    data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) },
  }));
}
