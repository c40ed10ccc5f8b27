/**
 * What lib/alerts.ts and lib/dashboards.ts generate per stack and cluster, the config
 * keys that tune them (defaults, validation errors), and the chart values that make the
 * metrics exist and the operator and Grafana load the objects. The alerts' behaviour on
 * sample series is tested under promtool (alerts-promtool.test.ts).
 */
import { strict as assert } from "assert";
import { PlatformConfig, parsePlatformConfig } from "../../../lib/config";
import { resolveApp } from "../../../lib/intent";
import { AlertRule, alertObjects, alertRuleGroups, httpEdges } from "../../../lib/alerts";
import { GRAFANA_DASHBOARD_LABEL, dashboardObjects } from "../../../lib/dashboards";
import { ciliumValues } from "../../../lib/addons/cni";
import { kubePrometheusStackValues } from "../../../lib/addons/observability";
import { K8sObject } from "../../../lib/k8s-object";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { configProblems } from "../../support/config-problems";

type Raw = Record<string, unknown> & {
  observability?: Record<string, unknown>;
  app: Record<string, unknown>;
};
type Dict = Record<string, unknown>;

const raw = (stack: string): Raw => structuredClone(readRawPlatformConfig(stackFile(stack))) as Raw;
const parse = (r: Raw): PlatformConfig => parsePlatformConfig(r);

const problems = configProblems;

function rules(platform: PlatformConfig, cluster: string): AlertRule[] {
  return alertRuleGroups(platform, resolveApp(platform.app.spec), cluster).flatMap((g) => g.rules);
}
const names = (rs: AlertRule[]) => [...new Set(rs.map((r) => r.alert))].sort();
const edgesOf = (rs: AlertRule[], alert: string) =>
  rs
    .filter((r) => r.alert === alert)
    .map((r) => r.labels.edge)
    .sort();

describe("alerts (PrometheusRules) generated per cluster", () => {
  it("prod (Cilium, Hubble, STRICT): drops by workload, certificates, plaintext, and each HTTP edge", () => {
    const rs = rules(parse(raw("prod")), "prod");
    assert.deepEqual(names(rs), [
      "AppEdgeErrorRate",
      "AppEdgeLatencyHigh",
      "CertificateExpiringSoon",
      "CertificateExpiryCritical",
      "NetworkPolicyDropping",
      "PlaintextToStrictWorkload",
    ]);
    assert.match(rs.find((r) => r.alert === "NetworkPolicyDropping")!.expr, /hubble_drop_total/);
    const http = [
      "frontend -> inventory:9090",
      "frontend -> orders:8080",
      "ingress-controller -> frontend:80",
      "orders -> inventory:9090",
      "orders -> payment:8080",
    ];
    // The Kafka edges (TCP) and the SaaS edge (external) have no HTTP requests to measure.
    assert.deepEqual(edgesOf(rs, "AppEdgeErrorRate"), http);
    assert.deepEqual(edgesOf(rs, "AppEdgeLatencyHigh"), http);
  });

  it("reads Cilium's agent counter when Hubble's metrics are off", () => {
    const r = raw("prod");
    r.observability = { ...r.observability, hubble: false };
    const drop = rules(parse(r), "prod").find((x) => x.alert === "NetworkPolicyDropping")!;
    assert.match(drop.expr, /cilium_drop_count_total/);
    assert.doesNotMatch(drop.expr, /hubble/);
  });

  it("multi-cluster: a drop alert only on the Cilium cluster, edge alerts where the destination runs", () => {
    const p = parse(raw("multi-cluster"));
    const east = rules(p, "us-east-1");
    const west = rules(p, "us-west-2");
    assert.ok(!east.some((r) => r.alert === "NetworkPolicyDropping"), "Calico OSS exports no drop counter");
    assert.ok(west.some((r) => r.alert === "NetworkPolicyDropping"));
    assert.deepEqual(edgesOf(east, "AppEdgeErrorRate"), [
      "frontend -> orders:8080",
      "ingress-controller -> frontend:80",
    ]);
    assert.deepEqual(edgesOf(west, "AppEdgeErrorRate"), [
      "frontend -> inventory:9090",
      "orders -> inventory:9090",
      "orders -> payment:8080",
    ]);
  });

  it("a newly declared edge gets its alerts (from the same edge list the intent compiler reads)", () => {
    const r = raw("prod");
    r.app = {
      ...r.app,
      edges: ["ingress-controller -> frontend:80", "frontend -> orders:8080", "payment -> inventory:9090"],
    };
    const rs = rules(parse(r), "prod");
    assert.deepEqual(edgesOf(rs, "AppEdgeLatencyHigh"), [
      "frontend -> orders:8080",
      "ingress-controller -> frontend:80",
      "payment -> inventory:9090",
    ]);
    const e = rs.find(
      (x) => x.labels.edge === "payment -> inventory:9090" && x.alert === "AppEdgeErrorRate",
    )!;
    // prod puts payment in shop-payments: the caller's principal names that namespace.
    assert.match(e.expr, /source_principal="spiffe:\/\/cluster\.local\/ns\/shop-payments\/sa\/payment"/);
    assert.match(e.expr, /destination_service_namespace="shop",destination_service_name="inventory"/);
  });

  it("matches the ingress controller by its own principal (gateway-api: the Gateway's ServiceAccount)", () => {
    const r = raw("prod");
    r.ingress = { controller: "gateway-api", serviceType: "LoadBalancer" };
    const p = parse(r);
    const front = httpEdges(p, resolveApp(p.app.spec), "prod").find((e) => e.from === "ingress-controller")!;
    assert.ok(front);
    const rule = rules(p, "prod").find((x) => x.labels.edge === "ingress-controller -> frontend:80")!;
    assert.match(rule.expr, /spiffe:\/\/cluster\.local\/ns\/gateway-ingress\/sa\/platform-gateway-istio/);
  });

  it("no plaintext alert unless the mesh is STRICT; no edge or plaintext alert without Istio", () => {
    const permissive = raw("dev");
    permissive.observability = { enabled: true };
    permissive.istio = { enabled: true, mtlsMode: "PERMISSIVE" };
    assert.ok(!rules(parse(permissive), "dev").some((x) => x.alert === "PlaintextToStrictWorkload"));
    const noMesh = raw("dev");
    noMesh.observability = { enabled: true, kiali: false };
    noMesh.istio = { enabled: false };
    delete noMesh.app.traffic; // canaries and faults need the mesh
    assert.deepEqual(names(rules(parse(noMesh), "dev")), [
      "CertificateExpiringSoon",
      "CertificateExpiryCritical",
    ]);
  });

  it("nothing without observability, Prometheus, or with alerts.enabled: false", () => {
    assert.deepEqual(rules(parse(raw("dev")), "dev"), []);
    const off = raw("prod");
    off.observability = { ...off.observability, alerts: { enabled: false } };
    assert.deepEqual(rules(parse(off), "prod"), []);
    const noProm = raw("prod");
    noProm.observability = { ...noProm.observability, prometheus: false };
    // The node range only serves Prometheus' scrape allowances; without it the key is refused.
    for (const c of noProm.clusters as Array<Record<string, unknown>>) delete c.nodeCidr;
    assert.deepEqual(rules(parse(noProm), "prod"), []);
  });

  it("takes thresholds and for: from config", () => {
    const r = raw("prod");
    r.observability = {
      ...r.observability,
      alerts: {
        rateWindow: "2m",
        edges: { errorRatio: 0.2, latencyQuantile: 0.9, latencyMs: 750, for: "15m" },
        policyDrops: { packetsPerSecond: 4, for: "3m" },
        certificateExpiry: { warningDays: 30, criticalDays: 3 },
        plaintext: { requestsPerSecond: 0.5, for: "2m" },
      },
    };
    const rs = rules(parse(r), "prod");
    const one = (a: string) => rs.find((x) => x.alert === a)!;
    assert.match(one("AppEdgeErrorRate").expr, /\[2m\].*> 0\.2$/s);
    assert.equal(one("AppEdgeErrorRate").for, "15m");
    assert.match(one("AppEdgeLatencyHigh").expr, /^histogram_quantile\(0\.9, .*\[2m\]\)\)\) > 750$/s);
    assert.match(one("NetworkPolicyDropping").expr, /> 4$/);
    assert.equal(one("NetworkPolicyDropping").for, "3m");
    assert.match(one("CertificateExpiringSoon").expr, /< 2592000$/);
    assert.match(one("CertificateExpiryCritical").expr, /< 259200$/);
    assert.match(one("PlaintextToStrictWorkload").expr, /> 0\.5$/);
    assert.equal(one("PlaintextToStrictWorkload").for, "2m");
  });
});

describe("alerts config keys", () => {
  const withAlerts = (alerts: unknown, observability: Dict = { enabled: true }) => {
    const r = raw("dev");
    r.observability = { ...observability, alerts };
    return problems(r);
  };

  it("defaults: 5m windows, 1 packet/s for 10m, 21 and 7 days, any plaintext for 5m, 5% errors and p99 > 500ms for 10m", () => {
    const r = raw("dev");
    r.observability = { enabled: true };
    const a = parse(r).observability.alerts;
    assert.deepEqual(a, {
      enabled: true,
      rateWindow: "5m",
      policyDrops: { packetsPerSecond: 1, for: "10m" },
      certificateExpiry: { warningDays: 21, criticalDays: 7, for: "1h" },
      plaintext: { requestsPerSecond: 0, for: "5m" },
      edges: { errorRatio: 0.05, latencyQuantile: 0.99, latencyMs: 500, for: "10m" },
    });
    assert.equal(parse(r).observability.dashboards, true);
  });

  it("refuses a duration Prometheus would not parse, naming the key", () => {
    assert.deepEqual(withAlerts({ edges: { for: "10 minutes" } }), [
      'platform.observability.alerts.edges.for: must be a Prometheus duration such as "30s", "5m", "1h30m" (units y w d h m s ms) (got "10 minutes")',
    ]);
    assert.deepEqual(withAlerts({ rateWindow: "0m" }), [
      'platform.observability.alerts.rateWindow: must be a Prometheus duration longer than zero (e.g. "5m") (got "0m")',
    ]);
  });

  it("refuses ratios and quantiles outside (0, 1), negative rates and unknown keys", () => {
    const p = withAlerts({
      edges: { errorRatio: 5, latencyQuantile: 0 },
      plaintext: { requestsPerSecond: -1 },
      policyDrop: {},
    });
    assert.equal(p.length, 4, p.join("\n"));
    assert.ok(
      p.some((x) => x.startsWith("platform.observability.alerts.edges.errorRatio:")),
      p.join("\n"),
    );
    assert.ok(
      p.some((x) => x.startsWith("platform.observability.alerts.edges.latencyQuantile:")),
      p.join("\n"),
    );
    assert.ok(p.some((x) => x.startsWith("platform.observability.alerts.plaintext.requestsPerSecond:")));
    assert.ok(p.includes('platform.observability.alerts: unknown key(s) "policyDrop"'), p.join("\n"));
  });

  it("refuses a critical expiry not below the warning one", () => {
    assert.deepEqual(withAlerts({ certificateExpiry: { warningDays: 10, criticalDays: 10 } }), [
      "platform.observability.alerts.certificateExpiry.criticalDays: must be less than warningDays (10): the critical alert comes after the warning (got 10)",
    ]);
  });

  it("refuses alerts without Prometheus and dashboards without Grafana, as keys with no effect", () => {
    assert.deepEqual(withAlerts({ edges: { errorRatio: 0.1 } }, { enabled: false }), [
      "platform.observability.alerts: alerts are evaluated by the platform's Prometheus, which is off " +
        "(needs observability.enabled: true and observability.prometheus: true); remove the key or set alerts.enabled: false",
    ]);
    assert.deepEqual(withAlerts({ enabled: false }, { enabled: false }), []);
    const r = raw("dev");
    r.observability = { enabled: true, grafana: false, dashboards: true };
    assert.deepEqual(problems(r), [
      "platform.observability.dashboards: dashboards are loaded by the platform's Grafana, which is off " +
        "(needs observability.enabled: true and observability.grafana: true); remove the key or set it to false",
    ]);
  });
});

describe("objects and chart values that make the alerts work", () => {
  const objects = (stack: string, cluster: string) => {
    const p = parse(raw(stack));
    return alertObjects(p, resolveApp(p.app.spec), cluster);
  };

  it("one PrometheusRule in monitoring holding every group, and PodMonitors for cert-manager and Cilium", () => {
    const prod = objects("prod", "prod");
    assert.deepEqual(
      prod.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
      [
        "PrometheusRule/monitoring/netplat-alerts",
        "PodMonitor/monitoring/cert-manager",
        "PodMonitor/monitoring/cilium-agent",
      ],
    );
    const cilium = prod[2].spec as Dict;
    assert.deepEqual(cilium.namespaceSelector, { matchNames: ["kube-system"] });
    assert.deepEqual(cilium.podMetricsEndpoints, [{ port: "prometheus" }, { port: "hubble-metrics" }]);
    const certManager = prod[1].spec as Dict;
    assert.deepEqual(certManager.namespaceSelector, { matchNames: ["cert-manager"] });
    assert.deepEqual(certManager.podMetricsEndpoints, [{ port: "http-metrics" }]);
    // The Calico cluster scrapes no Cilium agent.
    assert.ok(!objects("multi-cluster", "us-east-1").some((o) => o.metadata.name === "cilium-agent"));
    assert.deepEqual(objects("dev", "dev"), []);
  });

  it("the kube-prometheus-stack Prometheus selects every PrometheusRule, not only its release's", () => {
    const p = parse(raw("prod"));
    const spec = ((kubePrometheusStackValues(p.clusters[0], p).prometheus as Dict).prometheusSpec ??
      {}) as Dict;
    assert.equal(spec.ruleSelectorNilUsesHelmValues, false);
  });

  it("Cilium exports the agent's metrics and Hubble's drop metric with workload labels when alerts are on", () => {
    const p = parse(raw("prod"));
    const v = ciliumValues(p.clusters[0], p);
    assert.deepEqual(v.prometheus, { enabled: true });
    assert.deepEqual(((v.hubble as Dict).metrics as Dict).enabled, [
      "drop:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload",
    ]);
    const off = raw("prod");
    off.observability = { ...off.observability, alerts: { enabled: false } };
    const q = parse(off);
    const w = ciliumValues(q.clusters[0], q);
    assert.equal(w.prometheus, undefined);
    assert.equal((w.hubble as Dict).metrics, undefined);
  });
});

describe("dashboards (ConfigMaps for Grafana's sidecar)", () => {
  const dashboards = (p: PlatformConfig, cluster: string) =>
    dashboardObjects(p, resolveApp(p.app.spec), cluster).map((cm: K8sObject) => ({
      cm,
      json: JSON.parse(Object.values(cm.data as Record<string, string>)[0]) as Dict & { panels: Dict[] },
    }));

  it("two dashboards labelled for the sidecar, querying the chart's Prometheus datasource", () => {
    const ds = dashboards(parse(raw("prod")), "prod");
    assert.deepEqual(
      ds.map((d) => d.json.uid),
      ["netplat-mesh", "netplat-app-edges"],
    );
    for (const { cm, json } of ds) {
      assert.equal(cm.metadata.namespace, "monitoring");
      for (const [k, v] of Object.entries(GRAFANA_DASHBOARD_LABEL)) assert.equal(cm.metadata.labels?.[k], v);
      for (const panel of json.panels.filter((x) => x.type === "timeseries")) {
        assert.deepEqual(panel.datasource, { type: "prometheus", uid: "prometheus" });
        assert.ok((panel.targets as Dict[]).length > 0);
      }
    }
  });

  it("panels never overlap on the grid", () => {
    for (const { json } of dashboards(parse(raw("prod")), "prod")) {
      const boxes = json.panels.map((p) => p.gridPos as { x: number; y: number; w: number; h: number });
      boxes.forEach((a, i) =>
        boxes.slice(i + 1).forEach((b) => {
          const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          assert.ok(apart, `${json.uid}: ${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`);
        }),
      );
      assert.ok(boxes.every((b) => b.x >= 0 && b.x + b.w <= 24));
    }
  });

  it("a row per edge into the cluster, generated from the edge list (a new edge gets its row)", () => {
    const rows = (p: PlatformConfig, cluster: string) =>
      dashboards(p, cluster)
        .find((d) => d.json.uid === "netplat-app-edges")!
        .json.panels.filter((x) => x.type === "row")
        .map((x) => x.title);
    assert.deepEqual(rows(parse(raw("multi-cluster")), "us-west-2"), [
      "frontend -> inventory:9090",
      "orders -> inventory:9090",
      "orders -> payment:8080",
    ]);
    const r = raw("prod");
    r.app = { ...r.app, edges: ["ingress-controller -> frontend:80", "payment -> inventory:9090"] };
    assert.deepEqual(rows(parse(r), "prod"), [
      "ingress-controller -> frontend:80",
      "payment -> inventory:9090",
    ]);
  });

  it("the mesh dashboard says Calico exports no drop counter instead of an empty panel", () => {
    const mesh = dashboards(parse(raw("multi-cluster")), "us-east-1").find(
      (d) => d.json.uid === "netplat-mesh",
    )!;
    const text = mesh.json.panels.find((x) => x.type === "text")!;
    assert.match(String((text.options as Dict).content), /Calico Open Source exports no counter/);
  });

  it("none with dashboards: false or Grafana off", () => {
    const r = raw("prod");
    r.observability = { ...r.observability, dashboards: false };
    assert.deepEqual(dashboards(parse(r), "prod"), []);
  });
});
