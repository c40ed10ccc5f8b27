/**
 * The names, ports and labels the program relies on (NetworkPolicy peers, URLs handed to
 * other add-ons, what the policy pack looks for) are what the real charts render with the
 * values the program sets: `helm template` of every chart of every stack, from the
 * prepared mirror, with the release names the program uses.
 */
import { strict as assert } from "assert";
import { CERT_MANAGER_NAMESPACE } from "../../../lib/addons/cert-manager";
import { INGRESS_SERVICE_ACCOUNT, ingressPeer } from "../../../lib/addons/ingress";
import {
  GRAFANA_URL,
  JAEGER_OTLP,
  JAEGER_QUERY_URL,
  MONITORING_NAMESPACE,
  PROMETHEUS_URL,
  jaegerPeer,
  prometheusPeer,
} from "../../../lib/addons/observability";
import { ISTIOD_LABELS } from "../../../lib/intent";
import { K8sObject } from "../../../lib/k8s-object";
import { STACK_NAMES, loadStackConfig } from "../../../lib/stack-file";
import { isIstiodDeployment } from "../../../policy-pack/lib/platform";
import { preparedChartMirror } from "../../support/charts";
import { RenderedChart, renderStackCharts } from "../../support/stack-charts";

type PodTemplate = { metadata?: { labels?: Record<string, string> }; spec?: { serviceAccountName?: string } };
type ServiceSpec = { type?: string; selector?: Record<string, string>; ports?: Array<{ port: number }> };

const podTemplate = (o: K8sObject) => (o.spec as { template?: PodTemplate }).template ?? {};
const matches = (labels: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
const workloads = (c: RenderedChart) =>
  c.objects.filter((o) => ["Deployment", "DaemonSet", "StatefulSet"].includes(o.kind));
/** Host and port of an in-cluster URL: `http://<svc>.<ns>.svc.cluster.local:<port>`. */
function service(url: string): { name: string; namespace: string; port: number } {
  const m = /^(?:https?:\/\/)?([^.]+)\.([^.]+)\.svc\.cluster\.local:(\d+)/.exec(url);
  assert.ok(m, `${url} is an in-cluster Service URL`);
  return { name: m[1], namespace: m[2], port: Number(m[3]) };
}
function findService(charts: RenderedChart[], s: { name: string; namespace: string }): K8sObject | undefined {
  return charts
    .flatMap((c) => c.objects.map((o) => ({ o, ns: o.metadata.namespace ?? c.namespace })))
    .find(({ o, ns }) => o.kind === "Service" && o.metadata.name === s.name && ns === s.namespace)?.o;
}
const ports = (svc: K8sObject | undefined) =>
  ((svc?.spec as ServiceSpec | undefined)?.ports ?? []).map((p) => p.port);

describe("names, ports and labels the program relies on, as the real charts render them", function () {
  this.timeout(300_000);

  for (const stack of STACK_NAMES) {
    describe(stack, () => {
      const platform = loadStackConfig(stack);
      const render = () => renderStackCharts(stack, preparedChartMirror());

      it("the ingress controller's pods carry the labels and ServiceAccount the NetworkPolicies name, behind its Service", async () => {
        const peer = ingressPeer(platform);
        const charts = (await render()).charts.filter(
          (c) => c.key === "nginxIngress" || c.key === "ingressNginx",
        );
        assert.equal(charts.length, platform.clusters.length, "one controller chart per cluster");
        for (const c of charts) {
          assert.equal(c.namespace, peer.namespace);
          const pods = workloads(c).filter((w) => matches(podTemplate(w).metadata?.labels, peer.podLabels));
          assert.equal(
            pods.length,
            1,
            `${c.release}: one controller workload labelled ${JSON.stringify(peer.podLabels)}`,
          );
          assert.equal(podTemplate(pods[0]).spec?.serviceAccountName, INGRESS_SERVICE_ACCOUNT);
          const svc = c.objects.find(
            (o) =>
              o.kind === "Service" &&
              (o.spec as ServiceSpec).type === platform.ingress.serviceType &&
              matches(
                podTemplate(pods[0]).metadata?.labels,
                (o.spec as ServiceSpec).selector ?? { none: "x" },
              ),
          );
          assert.ok(svc, `${c.release}: a ${platform.ingress.serviceType} Service selects the controller`);
          assert.deepEqual(ports(svc).sort(), [443, 80]);
        }
      });

      it("istiod carries the revision in its name, and the pack and the NetworkPolicies find it", async () => {
        const charts = (await render()).charts.filter((c) => c.key === "istiod");
        assert.equal(charts.length, platform.clusters.length);
        const name = `istiod-${platform.istio.revision}`;
        for (const c of charts) {
          const deploy = c.objects.find((o) => o.kind === "Deployment");
          assert.equal(deploy?.metadata.name, name);
          assert.ok(isIstiodDeployment(deploy as never), "the policy pack recognises it");
          assert.ok(
            matches(podTemplate(deploy!).metadata?.labels, ISTIOD_LABELS),
            "allow-istiod-egress selects its pods",
          );
          const svc = findService([c], { name, namespace: platform.istio.rootNamespace });
          assert.ok(ports(svc).includes(15012), "xDS and certificates on 15012");
        }
      });

      it("no chart writes a service-account-token Secret (it races its ServiceAccount under a Chart resource)", async () => {
        const { charts } = await render();
        const tokens = charts.flatMap((c) =>
          c.objects
            .filter((o) => o.kind === "Secret" && o.type === "kubernetes.io/service-account-token")
            .map((o) => `${c.release}: ${o.metadata.namespace ?? c.namespace}/${o.metadata.name}`),
        );
        assert.deepEqual(tokens, []);
      });

      it("every ServiceAccount the Submariner charts run pods as or bind in their namespace is created by the chart or the program", async () => {
        const { charts, manifests } = await render();
        const submariner = charts.filter(
          (c) => c.key === "submarinerBroker" || c.key === "submarinerOperator",
        );
        const accounts = new Set(
          [...manifests, ...submariner.flatMap((c) => c.objects)]
            .filter((o) => o.kind === "ServiceAccount")
            .map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
        );
        const missing: string[] = [];
        for (const c of submariner) {
          for (const o of c.objects.filter((x) => x.kind === "Deployment" || x.kind === "DaemonSet")) {
            const pod = (o as { spec?: { template?: { spec?: { serviceAccountName?: string } } } }).spec
              ?.template?.spec;
            const ref = `${o.metadata.namespace ?? c.namespace}/${pod?.serviceAccountName ?? "default"}`;
            if (!accounts.has(ref)) missing.push(`${c.release} ${o.kind} ${o.metadata.name} runs as ${ref}`);
          }
          for (const o of c.objects.filter(
            (x) => x.kind === "RoleBinding" || x.kind === "ClusterRoleBinding",
          )) {
            const subjects =
              (o as { subjects?: Array<{ kind: string; name: string; namespace?: string }> }).subjects ?? [];
            for (const sub of subjects.filter((x) => x.kind === "ServiceAccount")) {
              const ns = sub.namespace ?? o.metadata.namespace ?? c.namespace;
              if (ns !== c.namespace) continue; // another product's account (OpenShift's Prometheus)
              const ref = `${ns}/${sub.name}`;
              if (!accounts.has(ref)) missing.push(`${c.release} ${o.kind} ${o.metadata.name}: ${ref}`);
            }
          }
        }
        assert.deepEqual(missing, []);
        if (platform.submariner) assert.ok(submariner.length > 0, "the stack installs Submariner");
      });

      it("cert-manager runs in its namespace with its webhook", async () => {
        const charts = (await render()).charts.filter((c) => c.key === "certManager");
        assert.equal(charts.length, platform.clusters.length);
        for (const c of charts) {
          assert.equal(c.namespace, CERT_MANAGER_NAMESPACE);
          const names = workloads(c).map((w) => w.metadata.name ?? "");
          assert.ok(
            names.some((n) => n.endsWith("-webhook")),
            `webhook among ${names.join(", ")}`,
          );
        }
      });

      if (platform.observability.enabled) {
        it("Grafana, Prometheus and Jaeger answer at the URLs Kiali and the sidecars are given", async () => {
          const { charts } = await render();
          for (const url of [
            GRAFANA_URL,
            PROMETHEUS_URL,
            JAEGER_QUERY_URL,
            `${JAEGER_OTLP.service}:${JAEGER_OTLP.port}`,
          ]) {
            const s = service(url);
            const svc = findService(charts, s);
            assert.ok(svc, `a Service ${s.namespace}/${s.name} for ${url}`);
            assert.ok(
              ports(svc).includes(s.port),
              `${s.name} serves ${s.port} (has ${ports(svc).join(", ")})`,
            );
          }
        });

        it("the collector's Service selects the pods the tracing egress names", async () => {
          const { charts } = await render();
          const peer = jaegerPeer();
          const jaeger = charts.filter((c) => c.key === "jaeger");
          assert.ok(jaeger.length > 0);
          for (const c of jaeger) {
            const pods = workloads(c).filter((w) => matches(podTemplate(w).metadata?.labels, peer.podLabels));
            assert.equal(
              pods.length,
              1,
              `${c.release}: one workload labelled ${JSON.stringify(peer.podLabels)}`,
            );
            const svc = findService([c], service(`${JAEGER_OTLP.service}:${JAEGER_OTLP.port}`));
            assert.ok(
              matches(podTemplate(pods[0]).metadata?.labels, (svc?.spec as ServiceSpec).selector ?? {}),
            );
          }
        });

        it("the Prometheus resource is the one whose pods the scrape allowance names", async () => {
          const { charts } = await render();
          const prom = charts
            .filter((c) => c.key === "kubePrometheusStack")
            .flatMap((c) => c.objects.filter((o) => o.kind === "Prometheus"));
          assert.ok(prom.length > 0);
          for (const p of prom) {
            // The operator labels a Prometheus' pods `prometheus: <its name>`.
            assert.equal(p.metadata.name, prometheusPeer().podLabels.prometheus);
            assert.equal(p.metadata.namespace, MONITORING_NAMESPACE);
          }
        });

        it("does not scrape kube-proxy where Cilium replaces it", async () => {
          const { charts } = await render();
          for (const c of charts.filter((x) => x.key === "kubePrometheusStack")) {
            const kubeProxyScraped = c.objects.some(
              (o) => o.kind === "ServiceMonitor" && (o.metadata.name ?? "").endsWith("kube-proxy"),
            );
            const replaced = platform.clusters.every((k) => k.kubeProxyMode === "kube-proxy-replacement");
            assert.equal(kubeProxyScraped, !replaced, c.release);
          }
        });
      }
    });
  }
});
