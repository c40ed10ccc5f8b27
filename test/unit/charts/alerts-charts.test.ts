/**
 * The alerts and dashboards are loaded and fed, as the real charts render with the
 * program's values (`helm template` of the prepared mirror): the operator's Prometheus
 * selects the PrometheusRule and PodMonitors the program creates, Grafana's dashboard
 * sidecar selects its ConfigMaps and the datasource uid the panels name exists, and the
 * pods the PodMonitors point at carry those labels and port names.
 */
import { strict as assert } from "assert";
import { alertObjects } from "../../../lib/alerts";
import { GRAFANA_DASHBOARD_LABEL, PROMETHEUS_DATASOURCE, dashboardObjects } from "../../../lib/dashboards";
import { resolveApp } from "../../../lib/intent";
import { K8sObject } from "../../../lib/k8s-object";
import { loadStackConfig } from "../../../lib/stack-file";
import { preparedChartMirror } from "../../support/charts";
import { RenderedChart, renderStackCharts } from "../../support/stack-charts";

type Dict = Record<string, unknown>;
type Container = {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name?: string }>;
};
type PodTemplate = { metadata?: { labels?: Record<string, string> }; spec?: { containers?: Container[] } };

const template = (o: K8sObject) => ((o.spec as Dict).template ?? {}) as PodTemplate;
const matches = (labels: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
/** Whether a Kubernetes label selector selects these labels (matchLabels only, as the program writes them). */
const selects = (selector: Dict | undefined, labels: Record<string, string>) =>
  selector !== undefined &&
  Object.keys(selector).every((k) => k === "matchLabels") &&
  matches(labels, (selector.matchLabels ?? {}) as Record<string, string>);

describe("alerts and dashboards, as the real charts load them", function () {
  this.timeout(300_000);

  for (const stack of ["prod", "multi-cluster"] as const) {
    describe(stack, () => {
      const platform = loadStackConfig(stack);
      const app = resolveApp(platform.app.spec);
      const charts = async (key: string): Promise<RenderedChart[]> =>
        (await renderStackCharts(stack, preparedChartMirror())).charts.filter((c) => c.key === key);

      it("the Prometheus selects every PrometheusRule and PodMonitor the program creates, in any namespace", async () => {
        const kps = await charts("kubePrometheusStack");
        assert.equal(kps.length, platform.clusters.length);
        for (const c of kps) {
          const prom = c.objects.find((o) => o.kind === "Prometheus");
          assert.ok(prom, `${c.release}: a Prometheus`);
          const spec = prom.spec as Dict;
          for (const cluster of platform.clusters) {
            for (const o of alertObjects(platform, app, cluster.name)) {
              const field = o.kind === "PrometheusRule" ? "rule" : "podMonitor";
              assert.ok(
                selects(spec[`${field}Selector`] as Dict, o.metadata.labels ?? {}),
                `${c.release}: ${field}Selector ${JSON.stringify(spec[`${field}Selector`])} selects ${o.kind}/${o.metadata.name}`,
              );
              assert.deepEqual(
                spec[`${field}NamespaceSelector`],
                {},
                `${field}NamespaceSelector: every namespace`,
              );
            }
          }
        }
      });

      it("Grafana's dashboard sidecar loads the dashboards' ConfigMaps, whose datasource uid Grafana provisions", async () => {
        for (const c of await charts("kubePrometheusStack")) {
          const grafana = c.objects.find(
            (o) => o.kind === "Deployment" && o.metadata.name.endsWith("grafana"),
          );
          assert.ok(grafana, `${c.release}: Grafana`);
          const sidecar = template(grafana).spec?.containers?.find((x) => x.name.includes("dashboard"));
          assert.ok(sidecar, "the dashboard sidecar");
          const env = Object.fromEntries((sidecar.env ?? []).map((e) => [e.name, e.value]));
          const [[label, value]] = Object.entries(GRAFANA_DASHBOARD_LABEL);
          assert.equal(env.LABEL, label);
          assert.equal(env.LABEL_VALUE, value);
          assert.equal(env.NAMESPACE, "ALL");
          for (const cluster of platform.clusters) {
            for (const cm of dashboardObjects(platform, app, cluster.name)) {
              assert.equal(cm.metadata.labels?.[label], value);
            }
          }
          const datasources = c.objects
            .filter((o) => o.kind === "ConfigMap" && o.metadata.name.includes("datasource"))
            .map((o) => Object.values((o.data ?? {}) as Record<string, string>).join("\n"))
            .join("\n");
          assert.match(datasources, new RegExp(`uid: ${PROMETHEUS_DATASOURCE.uid}\\b`));
        }
      });

      it("cert-manager's controller pods carry the PodMonitor's labels and metrics port", async () => {
        const [cm] = await charts("certManager");
        const monitor = alertObjects(platform, app, platform.clusters[0].name).find(
          (o) => o.metadata.name === "cert-manager",
        )!;
        const spec = monitor.spec as {
          selector: { matchLabels: Record<string, string> };
          podMetricsEndpoints: Dict[];
        };
        const pods = cm.objects.filter(
          (o) => o.kind === "Deployment" && matches(template(o).metadata?.labels, spec.selector.matchLabels),
        );
        assert.equal(pods.length, 1, "exactly the controller");
        assert.equal(pods[0].metadata.namespace ?? cm.namespace, "cert-manager");
        const ports = (template(pods[0]).spec?.containers ?? [])
          .flatMap((x) => x.ports ?? [])
          .map((p) => p.name);
        for (const e of spec.podMetricsEndpoints) assert.ok(ports.includes(String(e.port)), `port ${e.port}`);
      });

      it("Cilium's agent serves the ports the PodMonitor scrapes, and Hubble exports the drop metric", async () => {
        for (const c of await charts("cilium")) {
          const cluster = platform.clusters.find((k) => c.release.startsWith(k.name)) ?? platform.clusters[0];
          const monitor = alertObjects(platform, app, cluster.name).find(
            (o) => o.metadata.name === "cilium-agent",
          );
          assert.ok(monitor, `${cluster.name}: a PodMonitor for the Cilium agent`);
          const spec = monitor.spec as {
            selector: { matchLabels: Record<string, string> };
            podMetricsEndpoints: Dict[];
          };
          const agent = c.objects.find(
            (o) => o.kind === "DaemonSet" && matches(template(o).metadata?.labels, spec.selector.matchLabels),
          );
          assert.ok(agent, "the agent DaemonSet");
          const ports = (template(agent).spec?.containers ?? [])
            .flatMap((x) => x.ports ?? [])
            .map((p) => p.name);
          for (const e of spec.podMetricsEndpoints)
            assert.ok(ports.includes(String(e.port)), `port ${e.port}`);
          const config = c.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "cilium-config");
          assert.match(
            String((config?.data as Dict)["hubble-metrics"]),
            /drop:labelsContext=source_namespace/,
          );
        }
      });
    });
  }
});
