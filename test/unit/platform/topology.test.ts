import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { K8sObject } from "../../../lib/k8s-object";
import { STACK_NAMES, loadStackConfig } from "../../../lib/stack-file";
import { topologyDot, topologyGraph, topologyMermaid } from "../../../lib/topology";
import { checkIntent } from "../../../policy-pack/reachability/check-intent";
import { parseIntentDocument } from "@k8s-netplat/contract";

function setup(stack: string) {
  const platform = loadStackConfig(stack);
  const app = resolveApp(platform.app.spec);
  return { platform, app };
}

describe("topology diagram", () => {
  it("draws each service in its cluster and namespace, with edges labelled by port", () => {
    const { platform, app } = setup("prod");
    const m = topologyMermaid(platform, app);
    assert.match(
      m,
      /subgraph prod__ns__shop_payments\["namespace shop-payments · default-deny · mTLS STRICT"\]/,
    );
    assert.match(m, /prod__frontend -->\|"TCP 8080"\| prod__orders/);
    assert.match(m, /prod__payment -->\|"TCP 443"\| external__payment_gateway/);
    assert.match(m, /prod__events\[\("events \(StatefulSet ×3\)"\)\]/);
  });

  it("marks cross-cluster edges as going through Submariner, and sends the Internet only where the frontend runs", () => {
    const { platform, app } = setup("multi-cluster");
    const g = topologyGraph(platform, app);
    const cross = g.edges.filter((e) => e.crossCluster).map((e) => `${e.from} ${e.label} ${e.to}`);
    assert.deepEqual(cross.sort(), [
      "us_east_1__frontend TCP 9090 via Submariner us_west_2__inventory",
      "us_east_1__orders TCP 8080 via Submariner us_west_2__payment",
      "us_east_1__orders TCP 9090 via Submariner us_west_2__inventory",
    ]);
    assert.deepEqual(
      g.edges.filter((e) => e.from === "internet").map((e) => e.to),
      ["us_east_1__ingress_controller"],
    );
  });

  it("renders to SVG with Graphviz", () => {
    const probe = spawnSync("dot", ["-V"]);
    // Fails, never skips: a skipped render check reads as a pass.
    assert.ok(
      !probe.error,
      `Graphviz (dot) is not installed: install it with: apt-get install graphviz (${probe.error?.message})`,
    );
    const { platform, app } = setup("multi-cluster");
    const r = spawnSync("dot", ["-Tsvg"], { input: topologyDot(platform, app), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /<svg/);
    assert.match(r.stdout, /namespace shop \S+ default(-|&#45;)deny/); // Graphviz escapes "-"
  });
});

describe("the compiled policies allow exactly the intent (reachability analyser)", () => {
  for (const stack of STACK_NAMES) {
    it(`${stack}: no unintended and no blocked flow on any cluster`, () => {
      const { platform, app } = setup(stack);
      for (const c of platform.clusters) {
        const plan = planCluster(platform, app, c.name);
        const intent = parseIntentDocument((plan.shop.intent.data as Record<string, string>)["intent.json"]);
        assert.deepEqual(checkIntent(clusterPlanObjects(plan), intent), [], `cluster ${c.name}`);
      }
    });
  }

  it("catches the seed article's sample: podSelector {} admits frontend to every pod on 8080 and 9090", () => {
    const { platform, app } = setup("dev");
    const plan = planCluster(platform, app, "dev");
    const seedSample: K8sObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-frontend-to-backends", namespace: "shop" },
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "frontend" } } }],
            ports: [
              { protocol: "TCP", port: 8080 },
              { protocol: "TCP", port: 9090 },
            ],
          },
        ],
      },
    };
    // Open frontend's egress as the seed does (it has no egress policy at all).
    const openEgress: K8sObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "frontend-egress-anywhere", namespace: "shop" },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "frontend" } },
        policyTypes: ["Egress"],
        egress: [{}],
      },
    };
    const intent = parseIntentDocument((plan.shop.intent.data as Record<string, string>)["intent.json"]);
    const findings = checkIntent([...clusterPlanObjects(plan), seedSample, openEgress], intent);
    const unintended = findings.filter((f) => f.kind === "unintended").map((f) => `${f.src} -> ${f.dst}`);
    assert.ok(
      unintended.includes("shop/frontend[Deployment] -> shop/payment[Deployment]"),
      unintended.join("\n"),
    );
    assert.ok(
      unintended.includes("shop/frontend[Deployment] -> shop/events[StatefulSet]"),
      unintended.join("\n"),
    );
  });
});
