import { strict as assert } from "assert";
import {
  GRAFANA_URL,
  ISTIO_SIDECAR_SCRAPE,
  JAEGER_QUERY_URL,
  PROMETHEUS_URL,
  jaegerValues,
  kialiValues,
  kubePrometheusStackValues,
  prometheusPeer,
} from "../../../../lib/addons/observability";
import { Observability } from "../../../../components/observability";
import { platform, underMocks } from "./fixtures";

type Dict = Record<string, never>;
const on = (o: Record<string, boolean> = {}) => platform({ observability: { enabled: true, ...o } });

describe("observability planning", () => {
  it("names Prometheus pods by the labels the operator gives them with our fixed fullname", () => {
    assert.deepEqual(prometheusPeer(), {
      namespace: "monitoring",
      podLabels: { "app.kubernetes.io/name": "prometheus", prometheus: "kps-prometheus" },
    });
    assert.equal(kubePrometheusStackValues(on().clusters[0], on()).fullnameOverride, "kps");
  });
  it("scrapes the Istio sidecars' merged metrics when the mesh is on", () => {
    const spec = (kubePrometheusStackValues(on().clusters[0], on()).prometheus as Dict)[
      "prometheusSpec"
    ] as Dict;
    assert.deepEqual(spec["additionalScrapeConfigs"], [ISTIO_SIDECAR_SCRAPE]);
    assert.equal(spec["podMonitorSelectorNilUsesHelmValues"], false);
  });
  it("names Grafana's Service through the subchart's own fullnameOverride, as GRAFANA_URL says", () => {
    const grafana = kubePrometheusStackValues(on().clusters[0], on()).grafana as Record<string, unknown>;
    assert.equal(grafana.fullnameOverride, "kps-grafana");
    assert.equal(GRAFANA_URL, "http://kps-grafana.monitoring.svc.cluster.local:80");
  });
  it("scrapes kube-proxy only where kube-proxy runs (not under Cilium's replacement)", () => {
    const kpr = platform({
      observability: { enabled: true },
      clusters: [
        {
          name: "dev",
          podCidr: "10.244.0.0/16",
          serviceCidr: "10.96.0.0/12",
          cni: "cilium",
          kubeProxyMode: "kube-proxy-replacement",
          apiServer: { host: "10.0.0.1" },
        },
      ],
    });
    assert.deepEqual(kubePrometheusStackValues(kpr.clusters[0], kpr).kubeProxy, { enabled: false });
    assert.deepEqual(kubePrometheusStackValues(on().clusters[0], on()).kubeProxy, { enabled: true });
  });
  it("toggles Prometheus and Grafana", () => {
    const v = kubePrometheusStackValues(on().clusters[0], on({ prometheus: false, grafana: false })) as Dict;
    assert.equal(v["prometheus"]["enabled"], false);
    assert.equal(v["grafana"]["enabled"], false);
  });
  it("uses the stack's Grafana admin Secret, or drops the chart's fixed default password", () => {
    const withSecret = kubePrometheusStackValues(on().clusters[0], on(), "grafana-admin").grafana as Dict;
    assert.equal(withSecret["admin"]["existingSecret"], "grafana-admin");
    const without = kubePrometheusStackValues(on().clusters[0], on()).grafana as Dict;
    assert.equal(without["adminPassword"], null);
  });
  it("points Kiali at our Prometheus and Jaeger, in Istio's root namespace", () => {
    const v = kialiValues(on()) as Dict;
    assert.equal(v["istio_namespace"], "istio-system");
    assert.equal(v["external_services"]["prometheus"]["url"], PROMETHEUS_URL);
    assert.equal(PROMETHEUS_URL, "http://kps-prometheus.monitoring.svc.cluster.local:9090");
    assert.equal(v["external_services"]["tracing"]["internal_url"], JAEGER_QUERY_URL);
    assert.equal(v["external_services"]["tracing"]["enabled"], true);
  });
  it("runs Jaeger all-in-one with in-memory storage", () => {
    const v = jaegerValues(on()) as Dict;
    assert.equal(v["allInOne"]["enabled"], true);
    assert.equal(v["storage"]["type"], "memory");
    assert.equal(v["provisionDataStore"]["cassandra"], false);
  });
});

describe("Observability component", () => {
  it("creates nothing when observability is off", async () => {
    const p = platform({ observability: { enabled: false } });
    const regs = await underMocks(
      () => new Observability("dev-obs", { cluster: p.clusters[0], platform: p }),
    );
    assert.deepEqual(
      regs.map((r) => r.type),
      ["k8s-netplat:observability:Observability"],
    );
  });
  it("installs the stack, Jaeger and Kiali; Grafana's Secret before the stack", async () => {
    const p = on();
    const regs = await underMocks(
      () =>
        new Observability("dev-obs", { cluster: p.clusters[0], platform: p, grafanaAdminPassword: "s3cret" }),
    );
    const get = (n: string) => regs.find((r) => r.name === n)!;
    for (const n of ["dev-obs-kps", "dev-obs-jaeger", "dev-obs-kiali"]) {
      assert.equal(get(n).type, "kubernetes:helm.sh/v4:Chart", n);
      assert.match(get(n).parent, /k8s-netplat:observability:Observability::dev-obs$/);
    }
    assert.ok(get("dev-obs-kps").dependencies.some((d) => d.endsWith("::dev-obs-grafana-admin")));
    assert.ok(get("dev-obs-jaeger").dependencies.some((d) => d.endsWith("::dev-obs-ns")));
  });
});
