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
import { planCluster } from "../../../lib/cluster-plan";
import { ISTIOD_LABELS, resolveApp } from "../../../lib/intent";
import { platformIntent, platformPoliciesOn } from "../../../lib/platform-intent";
import { PlatformConfig, parsePlatformConfig } from "../../../lib/config";
import { K8sObject } from "../../../lib/k8s-object";
import { STACK_NAMES, loadStackConfig, readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { isIstiodDeployment } from "../../../policy-pack/lib/platform";
import { helmTemplate, preparedChartMirror } from "../../support/charts";
import { RenderedChart, renderStackCharts, stackCharts } from "../../support/stack-charts";

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

/**
 * The zero-trust platform policies (lib/platform-intent.ts) against the rendered charts:
 * every workload peer selects real pods that listen on the ports opened to it, every add-on
 * pod of a zero-trust namespace is some peer's, and every webhook the charts register is an
 * edge from the API server to its pods' port.
 */
function assertZeroTrustMatchesCharts(platform: PlatformConfig, charts: RenderedChart[]): void {
  const app = resolveApp(platform.app.spec);
  const zeroTrust = platform.clusters.map((k) => ({
    cluster: k.name,
    intent: platformIntent(platform, app, planCluster(platform, app, k.name).view),
  }));
  assert.ok(
    zeroTrust.every((z) => z.intent),
    "platform policies on",
  );
  for (const { cluster, intent } of zeroTrust) {
    const pi = intent!;
    const mine = charts.filter((c) => c.release.startsWith(`${cluster}-`));
    const objects: K8sObject[] = mine.flatMap((c) =>
      c.objects.map((o) => ({
        ...o,
        metadata: { ...o.metadata, namespace: o.metadata.namespace ?? c.namespace },
      })),
    );
    type Pod = {
      labels: Record<string, string>;
      ports: number[];
      /** Container ports by name. */
      named: Record<string, number>;
      host: boolean;
      name: string;
      ns: string;
    };
    const pods: Pod[] = objects
      .filter((o) => ["Deployment", "DaemonSet", "StatefulSet", "Job"].includes(o.kind))
      .map((o) => {
        const t = podTemplate(o) as PodTemplate & {
          spec?: {
            hostNetwork?: boolean;
            containers?: Array<{ ports?: Array<{ containerPort: number }> }>;
          };
        };
        return {
          name: `${o.kind}/${o.metadata.name}`,
          ns: String(o.metadata.namespace),
          labels: t.metadata?.labels ?? {},
          ports: (t.spec?.containers ?? []).flatMap((x) => (x.ports ?? []).map((p) => p.containerPort)),
          named: Object.fromEntries(
            (t.spec?.containers ?? [])
              .flatMap((x) => (x.ports ?? []) as Array<{ name?: string; containerPort: number }>)
              .filter((p) => p.name)
              .map((p) => [p.name!, p.containerPort]),
          ),
          host: t.spec?.hostNetwork === true,
        };
      });
    // Pods the operator creates from its resources: labels it sets, ports its CRs use.
    for (const cr of objects.filter((o) => o.kind === "Prometheus" || o.kind === "Alertmanager")) {
      const prom = cr.kind === "Prometheus";
      pods.push({
        name: `${cr.kind}/${cr.metadata.name}`,
        ns: String(cr.metadata.namespace),
        labels: prom
          ? {
              "app.kubernetes.io/name": "prometheus",
              prometheus: cr.metadata.name,
              "operator.prometheus.io/name": cr.metadata.name,
            }
          : { "app.kubernetes.io/name": "alertmanager", alertmanager: cr.metadata.name },
        ports: prom ? [9090, 8080] : [9093, 8080],
        // The operator's container port names (web, config-reloader's reloader-web).
        named: { "http-web": prom ? 9090 : 9093, web: prom ? 9090 : 9093, "reloader-web": 8080 },
        host: false,
      });
    }
    const workloadPeers = Object.entries(pi.peers).filter(
      ([name, p]) =>
        p.kind === "workload" &&
        pi.namespaces.includes(p.namespace) &&
        !name.startsWith("pods@") &&
        !name.startsWith("app-pods@") &&
        !name.startsWith("acme-solver@") &&
        Object.keys(p.podLabels).length > 0,
    ) as Array<[string, { namespace: string; podLabels: Record<string, string> }]>;
    // Every peer selects real pods, and every port opened to it is one they listen on: a
    // container port, a numeric targetPort of a chart Service that selects them (an Istio
    // gateway's Envoy listens where its Gateway says, which its Service names), or the
    // sidecar's merged metrics (15020) on pods the chart marks for injection.
    const targetPorts = (x: Pod) =>
      objects
        .filter(
          (o) =>
            o.kind === "Service" &&
            o.metadata.namespace === x.ns &&
            (o.spec as ServiceSpec).selector !== undefined &&
            matches(x.labels, (o.spec as ServiceSpec).selector!),
        )
        .flatMap((o) => (o.spec as { ports?: Array<{ targetPort?: unknown }> }).ports ?? [])
        .map((p) => p.targetPort)
        .filter((t): t is number => typeof t === "number");
    const listens = (x: Pod, port: number) =>
      x.ports.includes(port) ||
      targetPorts(x).includes(port) ||
      (port === 15020 && x.labels["sidecar.istio.io/inject"] === "true");
    for (const [name, p] of workloadPeers) {
      const selected = pods.filter((x) => x.ns === p.namespace && matches(x.labels, p.podLabels));
      assert.ok(
        selected.length > 0,
        `${cluster}: peer ${name} ${JSON.stringify(p.podLabels)} selects no pod`,
      );
      for (const e of pi.edges.filter((x) => x.to === name)) {
        assert.ok(
          selected.some((x) => listens(x, e.port)),
          `${cluster}: ${e.from} -> ${name}:${e.port}, but ${selected.map((x) => `${x.name} [${x.ports.join(",")}]`).join("; ")}`,
        );
      }
    }
    // Every pod of a zero-trust namespace (not on the host network) is some peer's.
    for (const x of pods.filter((y) => pi.namespaces.includes(y.ns) && !y.host)) {
      assert.ok(
        workloadPeers.some(([, p]) => p.namespace === x.ns && matches(x.labels, p.podLabels)),
        `${cluster}: ${x.ns}/${x.name} is no peer of the platform intent`,
      );
    }
    // Every scrape target of a ServiceMonitor is declared from Prometheus: the pods behind
    // its Services on their port; Services of no chart pod (the control plane, CoreDNS,
    // host-network node-exporter) on the port they target, as nodes or CoreDNS; the API
    // server's and the kubelet's Services (no chart renders them) as the API server and nodes.
    const prometheusEdges = pi.edges.filter((e) => e.from === "prometheus");
    const declared = (to: string[], port: number) =>
      prometheusEdges.some((e) => to.includes(e.to) && e.port === port);
    type SvcSpec = {
      selector?: Record<string, string>;
      ports?: Array<{ name?: string; port: number; targetPort?: number | string }>;
    };
    const monitors = objects.filter((o) => o.kind === "ServiceMonitor");
    if (pi.peers.prometheus) assert.ok(monitors.length > 0, `${cluster}: ServiceMonitors`);
    for (const m of monitors) {
      const spec = m.spec as {
        selector: { matchLabels?: Record<string, string> };
        namespaceSelector?: { matchNames?: string[] };
        endpoints: Array<{ port: string }>;
      };
      const nss = spec.namespaceSelector?.matchNames ?? [String(m.metadata.namespace)];
      const sel = spec.selector.matchLabels ?? {};
      for (const ep of spec.endpoints) {
        const where = `${cluster}: ServiceMonitor ${m.metadata.name} port ${ep.port}`;
        if (sel.component === "apiserver") {
          assert.ok(
            prometheusEdges.some((e) => e.to === "kube-apiserver"),
            where,
          );
          continue;
        }
        if (ep.port === "https-metrics" && sel["app.kubernetes.io/name"] === "kubelet") {
          assert.ok(declared(["nodes"], 10250), where);
          continue;
        }
        const svcs = objects.filter(
          (o) =>
            o.kind === "Service" &&
            nss.includes(String(o.metadata.namespace)) &&
            matches(o.metadata.labels, sel),
        );
        assert.ok(svcs.length > 0, `${where}: selects a chart Service`);
        for (const svc of svcs) {
          const sp = svc.spec as SvcSpec;
          const port = (sp.ports ?? []).find((p) => p.name === ep.port);
          assert.ok(port, `${where}: on ${svc.metadata.name}`);
          const behind = pods.filter(
            (x) => x.ns === svc.metadata.namespace && sp.selector && matches(x.labels, sp.selector),
          );
          const onPods = behind.filter((x) => !x.host);
          if (onPods.length > 0) {
            const t = port.targetPort ?? port.port;
            const podPort =
              typeof t === "number" ? t : onPods.map((x) => x.named[t]).find((n) => n !== undefined);
            assert.ok(podPort !== undefined, `${where}: target port ${String(t)} on the pods`);
            const peers = workloadPeers
              .filter(
                ([, p]) =>
                  p.namespace === svc.metadata.namespace &&
                  onPods.some((x) => matches(x.labels, p.podLabels)),
              )
              .map(([n]) => n);
            assert.ok(
              declared(peers, podPort),
              `${where}: prometheus -> ${peers.join("|")}:${podPort} declared`,
            );
          } else if (svc.metadata.namespace === "kube-system" && sp.selector?.["k8s-app"] === "kube-dns") {
            assert.ok(declared(["kube-dns"], Number(port.targetPort ?? port.port)), where);
          } else {
            // Host-network pods (node-exporter) or the control plane's static pods: the nodes.
            assert.ok(declared(["nodes"], Number(port.targetPort ?? port.port)), `${where}: on the nodes`);
          }
        }
      }
    }
    // Every webhook the API server calls: an edge from the API server to its pods' port.
    const hooks = objects.filter((o) => o.kind.endsWith("WebhookConfiguration"));
    assert.ok(hooks.length > 0, "webhook configurations");
    for (const h of hooks) {
      for (const w of (
        h as {
          webhooks?: Array<{
            clientConfig: { service?: { name: string; namespace: string; port?: number } };
          }>;
        }
      ).webhooks ?? []) {
        const ref = w.clientConfig.service!;
        const svc = findService(mine, ref)!;
        const sp = svc.spec as {
          selector: Record<string, string>;
          ports: Array<{ port: number; targetPort?: number | string }>;
        };
        const port = sp.ports.find((p) => p.port === (ref.port ?? 443))!;
        const target = pods.filter((x) => x.ns === ref.namespace && matches(x.labels, sp.selector));
        assert.ok(target.length > 0, `${h.metadata.name}: its Service selects pods`);
        const o = objects.find(
          (y) => ["Deployment"].includes(y.kind) && matches(podTemplate(y).metadata?.labels, sp.selector),
        )!;
        const containers = (
          podTemplate(o).spec as {
            containers: Array<{ ports?: Array<{ name?: string; containerPort: number }> }>;
          }
        ).containers;
        const podPort =
          typeof port.targetPort === "number"
            ? port.targetPort
            : typeof port.targetPort === "string"
              ? containers.flatMap((c) => c.ports ?? []).find((p) => p.name === port.targetPort)!
                  .containerPort
              : port.port;
        const peers = workloadPeers.filter(
          ([, p]) => p.namespace === ref.namespace && target.some((x) => matches(x.labels, p.podLabels)),
        );
        assert.ok(
          pi.edges.some(
            (e) => e.from === "kube-apiserver" && e.port === podPort && peers.some(([n]) => n === e.to),
          ),
          `${cluster}: webhook ${h.metadata.name} -> ${ref.namespace}/${ref.name}:${podPort} is declared from the API server`,
        );
      }
    }
  }
}

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

      if (platformPoliciesOn(platform)) {
        it("the zero-trust platform policies name the add-ons' real pods and ports", async () => {
          assertZeroTrustMatchesCharts(platform, (await render()).charts);
        });
      }

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

  /** Controllers no committed stack uses, with the platform policies on (prod). */
  const variants: Array<[string, (p: Record<string, unknown>) => void]> = [
    ["ingress-nginx", (p) => (p.ingress = { ...(p.ingress as object), controller: "ingress-nginx" })],
    ["Istio's ingress gateway", (p) => (p.istio = { ...(p.istio as object), ingressGateway: true })],
  ];
  for (const [name, patch] of variants) {
    it(`prod with ${name}: the zero-trust platform policies name the add-ons' real pods and ports`, async () => {
      const mirror = preparedChartMirror();
      const { charts } = await stackCharts("prod", mirror, patch);
      const raw = structuredClone(readRawPlatformConfig(stackFile("prod"))) as Record<string, unknown>;
      patch(raw);
      assertZeroTrustMatchesCharts(
        parsePlatformConfig(raw),
        charts.map((c) => ({ ...c, objects: helmTemplate(c.dir, c) })),
      );
    });
  }
});
