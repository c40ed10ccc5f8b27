/**
 * The platform's own add-ons against the policy pack in prod: `helm template` of every
 * chart the prod stack installs (real charts, the program's values and release names),
 * plus the program's own objects, through the pack's plain-manifest check with prod's
 * config, as `npm run policy:check -- --stack prod <dir>` runs it.
 *
 * What is left is listed below, each with why the chart cannot comply, for the pack's
 * exemption mechanism (rule x namespace x workload x reason) to take over; the
 * NetworkPolicy rules wait for zero-trust policies for the platform namespaces.
 */
import { strict as assert } from "assert";
import { K8sObject } from "../../../lib/k8s-object";
import type { K8sManifest } from "../../../policy-pack/lib/k8s";
import { manifestsToResources } from "../../../policy-pack/lib/load-manifests";
import { runPack } from "../../../policy-pack/lib/run";
import { preparedChartMirror } from "../../support/charts";
import { loadStackConfig } from "../../../lib/stack-file";
import { manifestsOf } from "../../support/program";
import { renderStackCharts } from "../../support/stack-charts";

/** Rules about NetworkPolicies for the add-ons: the platform namespaces have none yet. */
const NETWORK_RULES = new Set([
  "kubernetes-namespace-default-deny",
  "kubernetes-workload-networkpolicy-coverage",
  "kubernetes-networkpolicy-no-allow-all",
]);

/** `rule namespace/workload` (`<cluster>` for the cluster's name): what the charts cannot do, and why. */
export const CHART_LIMITS: ReadonlyMap<string, string> = new Map([
  [
    "kubernetes-pod-probes cert-manager/<cluster>-cert-manager-chart",
    "the chart gives the controller a livenessProbe only; it serves no traffic a readinessProbe would gate",
  ],
  [
    "kubernetes-pod-probes cert-manager/<cluster>-cert-manager-chart-cainjector",
    "the chart has no probes for the CA injector",
  ],
  [
    "kubernetes-pod-probes ingress-nginx/<cluster>-ingress-nginx-inc-nginx-ingress-controller",
    "F5's chart has readiness and startup probes but no livenessProbe",
  ],
  ["kubernetes-pod-probes istio-system/istiod-1-27", "the istiod chart has a readinessProbe only"],
  [
    "kubernetes-pod-probes monitoring/kps-grafana",
    "Grafana's dashboard and datasource sidecars have no probes in the chart",
  ],
  ["kubernetes-deployment-ha istio-system/kiali", "the kiali-server chart has no PodDisruptionBudget"],
  [
    "kubernetes-deployment-ha monitoring/jaeger",
    "all-in-one keeps traces in memory: a second replica is a second, separate store",
  ],
  [
    "kubernetes-deployment-ha monitoring/kps-grafana",
    "Grafana's database is SQLite on an emptyDir: replicas would not share it",
  ],
  [
    "kubernetes-deployment-ha monitoring/kps-operator",
    "prometheus-operator has no leader election: two replicas would fight",
  ],
  [
    "kubernetes-deployment-ha monitoring/<cluster>-observability-kps-kube-state-metrics",
    "two kube-state-metrics replicas export every series twice unless sharded",
  ],
]);

describe("the prod stacks' add-ons against their own policy pack (real charts)", function () {
  this.timeout(300_000);

  for (const stack of ["prod", "multi-cluster"] as const) {
    for (const cluster of loadStackConfig(stack).clusters.map((c) => c.name)) {
      it(`${stack}, cluster ${cluster}: no mandatory violation but the listed chart limits and the add-ons' NetworkPolicies`, async () => {
        const { charts, resources } = await renderStackCharts(stack, preparedChartMirror());
        const own = manifestsOf(
          resources.filter((r) => r.provider?.includes(`pulumi:providers:kubernetes::${cluster}::`)),
        );
        assert.ok(
          own.some((m) => m.kind === "NetworkPolicy"),
          "the program's own objects of this cluster",
        );
        const objects: K8sObject[] = [
          ...own,
          ...charts
            .filter((c) => c.release.startsWith(`${cluster}-`))
            .flatMap((c) =>
              c.objects.map((o) => ({
                ...o,
                metadata: { ...o.metadata, namespace: o.metadata.namespace ?? c.namespace },
              })),
            ),
        ];
        const violations = runPack(
          manifestsToResources(
            objects.map((m, i) => ({ manifest: m as K8sManifest, file: cluster, doc: i + 1 })),
          ),
          stack,
        ).filter((v) => v.level === "mandatory" && !NETWORK_RULES.has(v.policy));
        const found = [...new Set(violations.map((v) => `${v.policy} ${v.namespace}/${v.name}`))].sort();
        const expected = [...CHART_LIMITS.keys()].map((k) => k.replace("<cluster>", cluster)).sort();
        assert.deepEqual(found, expected);
      });
    }
  }
});
