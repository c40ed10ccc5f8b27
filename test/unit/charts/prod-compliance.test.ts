/**
 * The platform's own add-ons against the policy pack, stack by stack: `helm template` of
 * every chart the stack installs (real charts, the program's values and release names),
 * plus the program's own objects of each cluster, through the pack's plain-manifest check
 * with the stack's config, as `npm run policy:check -- --stack <stack> <dir>` runs it.
 *
 * Every cluster of dev, prod and multi-cluster passes (no mandatory violation). What the
 * configs let through to get there is pinned here, so none of it can grow or go stale:
 * - the PSS `exemptions` (rule x namespace x kind x workload, reason) are exactly what the
 *   charts draw without them;
 * - CHART_LIMITS, the non-PSS rules' narrow `exclude` entries for what a chart cannot do;
 * - the NetworkPolicy rules exempt only the system, CNI and Submariner namespaces: the add-on
 *   namespaces pass on the zero-trust policies lib/platform-intent.ts compiles, and without
 *   those policies exactly the add-on namespaces are refused.
 */
import { strict as assert } from "assert";
import { K8sObject } from "../../../lib/k8s-object";
import { loadStackConfig } from "../../../lib/stack-file";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { manifestsToResources } from "../../../policy-pack/lib/load-manifests";
import { POD_SPEC_KINDS } from "../../../policy-pack/lib/pods";
import {
  loadStackConfig as loadPackConfig,
  runPack,
  type PackConfig,
  type StackName,
  type Violation,
} from "../../../policy-pack/lib/run";
import { ACME_EGRESS_POLICY, PLATFORM_POLICY_COMPONENT } from "../../../lib/platform-intent";
import { preparedChartMirror } from "../../support/charts";
import { manifestsOf } from "../../support/program";
import { renderStackCharts } from "../../support/stack-charts";

const STACKS: StackName[] = ["dev", "prod", "multi-cluster"];
/** The stacks whose NetworkPolicy rules and non-PSS pod rules are mandatory. */
const PROD_STACKS: StackName[] = ["prod", "multi-cluster"];

const NAMESPACE_LIST_RULES = [
  "kubernetes-namespace-default-deny",
  "kubernetes-workload-networkpolicy-coverage",
];

/** The add-on namespaces of prod and multi-cluster (the egress gateway's too), each zero-trust by lib/platform-intent.ts. */
const PLATFORM_NAMESPACES = ["cert-manager", "istio-egress", "istio-system", "monitoring", "nginx-ingress"];

/** Exempt from the namespace rules by design: system, CNI and Submariner namespaces. */
const SYSTEM_NAMESPACES = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "tigera-operator",
  "calico-system",
  "calico-apiserver",
  "kube-flannel",
  "submariner-operator",
  "submariner-k8s-broker",
];
/** Allowed by design: the edge must admit the internet. */
const EDGE_POLICIES = ["nginx-ingress/*", "ingress-nginx/*", "gateway-ingress/*", "istio-ingress/*"];

/**
 * `rule namespace/workload` (`<cluster>` for the cluster's name): what the charts cannot do in
 * prod and multi-cluster, and why. The configs `exclude` exactly these names, per cluster.
 */
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
    "kubernetes-pod-probes nginx-ingress/<cluster>-ingress-nginx-inc-nginx-ingress-controller",
    "F5's chart has readiness and startup probes but no livenessProbe",
  ],
  ["kubernetes-pod-probes istio-system/istiod-1-27", "the istiod chart has a readinessProbe only"],
  [
    "kubernetes-pod-image-pinned istio-egress/istio-egressgateway",
    "the gateway chart writes image: auto, which istiod's injector replaces with its revision's proxy image at admission (pinned by the istiod chart); the chart has no image value",
  ],
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
const LIMIT_RULES = [...new Set([...CHART_LIMITS.keys()].map((k) => k.split(" ")[0]))];

function clustersOf(stack: StackName): string[] {
  return loadStackConfig(stack).clusters.map((c) => c.name);
}

/** `rule namespace/name` of every CHART_LIMITS entry, for these clusters. */
function chartLimitsFor(clusters: string[]): string[] {
  const keys = [...CHART_LIMITS.keys()];
  return [...new Set(clusters.flatMap((c) => keys.map((k) => k.replace("<cluster>", c))))].sort();
}

/** The helm-rendered add-ons and the program's own objects of one cluster. */
async function clusterObjects(
  stack: StackName,
  cluster: string,
  keep: (o: K8sObject) => boolean = () => true,
): Promise<K8sObject[]> {
  const { charts, resources } = await renderStackCharts(stack, preparedChartMirror());
  const own = manifestsOf(
    resources.filter((r) => r.provider?.includes(`pulumi:providers:kubernetes::${cluster}::`)),
  );
  assert.ok(
    own.some((m) => m.kind === "NetworkPolicy"),
    "the program's own objects of this cluster",
  );
  const installed = charts.filter((c) => c.release.startsWith(`${cluster}-`));
  assert.ok(installed.length > 0, `charts of cluster ${cluster}`);
  return [
    ...own,
    ...installed.flatMap((c) =>
      c.objects.map((o) => ({
        ...o,
        metadata: { ...o.metadata, namespace: o.metadata.namespace ?? c.namespace },
      })),
    ),
  ].filter(keep);
}

async function check(
  stack: StackName,
  cluster: string,
  config: PackConfig,
  keep?: (o: K8sObject) => boolean,
): Promise<Violation[]> {
  const objects = await clusterObjects(stack, cluster, keep);
  return runPack(
    manifestsToResources(objects.map((m, i) => ({ manifest: m as K8sManifest, file: cluster, doc: i + 1 }))),
    config,
  );
}

const keyOf = (v: Violation) => `${v.policy} ${v.namespace}/${v.name}`;
const sortedSet = (xs: string[]) => [...new Set(xs)].sort();

/** The PSS rules of a config: those that take `exemptions`. */
function pssExemptions(config: PackConfig): string[] {
  return Object.entries(config).flatMap(([rule, e]) => {
    const list = typeof e === "object" && Array.isArray(e.exemptions) ? e.exemptions : [];
    return (list as Array<{ namespace: string; kind: string; name: string }>).map(
      (x) => `${rule} ${x.namespace}/${x.kind}/${x.name}`,
    );
  });
}

function entry(config: PackConfig, rule: string): Record<string, unknown> {
  const e = config[rule];
  assert.ok(typeof e === "object", `${rule} has an object config`);
  return e;
}

function strings(config: PackConfig, rule: string, key: string): string[] {
  const v = entry(config, rule)[key];
  assert.ok(Array.isArray(v), `${rule}.${key} is a list`);
  return v as string[];
}

describe("the stacks' add-ons against their own policy pack (real charts)", function () {
  this.timeout(600_000);

  for (const stack of STACKS) {
    for (const cluster of clustersOf(stack)) {
      it(`${stack}, cluster ${cluster}: passes the pack with the stack's config (no mandatory violation)`, async () => {
        const violations = (await check(stack, cluster, loadPackConfig(stack))).filter(
          (v) => v.level === "mandatory",
        );
        assert.deepEqual(
          violations.map((v) => `${v.policy} ${v.kind} ${v.namespace}/${v.name}: ${v.message}`),
          [],
        );
      });
    }

    it(`${stack}: its PSS exemptions are exactly the violations the charts draw without them`, async () => {
      const config = loadPackConfig(stack);
      const bare = structuredClone(config);
      for (const e of Object.values(bare)) if (typeof e === "object" && "exemptions" in e) e.exemptions = [];
      const pssRules = new Set(
        Object.entries(config)
          .filter(([, e]) => typeof e === "object" && "exemptions" in e)
          .map(([rule]) => rule),
      );
      const drawn: string[] = [];
      for (const cluster of clustersOf(stack)) {
        for (const v of await check(stack, cluster, bare)) {
          if (pssRules.has(v.policy)) drawn.push(`${v.policy} ${v.namespace}/${v.kind}/${v.name}`);
        }
      }
      assert.deepEqual(sortedSet(pssExemptions(config)), sortedSet(drawn));
      // No exemption reaches a namespace the program's own workloads (the app) run in.
      const { resources } = await renderStackCharts(stack, preparedChartMirror());
      const appNamespaces = new Set(
        manifestsOf(resources)
          .filter((m) => (POD_SPEC_KINDS as readonly string[]).includes(m.kind))
          .map((m) => m.metadata.namespace),
      );
      assert.ok(appNamespaces.size > 0, "the app's namespaces");
      for (const x of pssExemptions(config)) {
        assert.ok(!appNamespaces.has(x.split(" ")[1].split("/")[0]), `${x} exempts an app namespace`);
      }
    });
  }

  for (const stack of PROD_STACKS) {
    const clusters = clustersOf(stack);

    it(`${stack}: the non-PSS rules exclude exactly CHART_LIMITS by name, and each is still needed`, async () => {
      const config = loadPackConfig(stack);
      const named = LIMIT_RULES.flatMap((rule) =>
        strings(config, rule, "exclude")
          .filter((p) => !p.includes("*"))
          .map((p) => `${rule} ${p}`),
      );
      assert.deepEqual(sortedSet(named), chartLimitsFor(clusters));

      const bare = structuredClone(config);
      for (const rule of LIMIT_RULES) {
        entry(bare, rule).exclude = strings(config, rule, "exclude").filter((p) => p.includes("*"));
      }
      const found: string[] = [];
      for (const cluster of clusters) {
        const vs = await check(stack, cluster, bare);
        found.push(...vs.filter((v) => v.level === "mandatory").map(keyOf));
      }
      assert.deepEqual(sortedSet(found), chartLimitsFor(clusters));
    });

    it(`${stack}: the NetworkPolicy rules exempt only the system namespaces; the add-on namespaces pass on the compiled policies`, async () => {
      const config = loadPackConfig(stack);
      for (const rule of NAMESPACE_LIST_RULES) {
        assert.equal(entry(config, rule).enforcementLevel, "mandatory", rule);
        assert.deepEqual(
          sortedSet(strings(config, rule, "exemptNamespaces")),
          sortedSet(SYSTEM_NAMESPACES),
          `${rule}: the system, CNI and Submariner namespaces, nothing else`,
        );
      }
      assert.deepEqual(
        sortedSet(strings(config, "kubernetes-networkpolicy-no-allow-all", "allowed")),
        sortedSet(EDGE_POLICIES),
      );
      // The one policy that opens the internet: cert-manager's controller to ACME servers.
      assert.deepEqual(strings(config, "kubernetes-networkpolicy-no-egress-anywhere", "allowed"), [
        `cert-manager/${ACME_EGRESS_POLICY}`,
      ]);
      for (const cluster of clusters) {
        const objects = await clusterObjects(stack, cluster);
        const namespaces = new Set(objects.map((o) => o.metadata.namespace));
        for (const ns of PLATFORM_NAMESPACES) assert.ok(namespaces.has(ns), `${cluster}: ${ns} is deployed`);
        // No chart brings a NetworkPolicy of its own (Kiali's admitted everyone to its ports).
        const chartPolicies = objects.filter(
          (o) =>
            o.kind === "NetworkPolicy" && o.metadata.labels?.["app.kubernetes.io/managed-by"] !== "pulumi",
        );
        assert.deepEqual(
          chartPolicies.map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
          [],
          `${cluster}: chart NetworkPolicies`,
        );
      }
    });

    it(`${stack}: without the compiled platform policies, exactly the add-on namespaces are refused`, async () => {
      const config = loadPackConfig(stack);
      const compiled = (o: K8sObject) =>
        o.kind === "NetworkPolicy" &&
        o.metadata.labels?.["app.kubernetes.io/component"] === PLATFORM_POLICY_COMPONENT;
      for (const cluster of clusters) {
        const vs = (await check(stack, cluster, config, (o) => !compiled(o))).filter(
          (v) => v.level === "mandatory",
        );
        const refused = vs
          .filter((v) => NAMESPACE_LIST_RULES.includes(v.policy))
          .map((v) => (v.kind === "Namespace" ? v.name : String(v.namespace)));
        assert.deepEqual(
          sortedSet(refused),
          sortedSet(PLATFORM_NAMESPACES),
          `${cluster}: refused namespaces`,
        );
        // The intent still declares the add-ons' flows: without their policies the pack sees
        // them allowed beyond the intent (no default-deny) and blocked (the app side's ingress).
        const reach = vs.filter((v) => v.policy === "reachability-matches-intent").map((v) => v.message);
        assert.ok(
          reach.some((m) => m.startsWith("unintended flow")),
          `${cluster}: reachability-matches-intent reports unintended flows, got ${reach.length} findings`,
        );
        assert.ok(
          vs.every((v) => [...NAMESPACE_LIST_RULES, "reachability-matches-intent"].includes(v.policy)),
          vs.map(keyOf).join("\n"),
        );
      }
    });
  }
});
