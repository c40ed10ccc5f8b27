import * as assert from "assert";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import type { AppSpec } from "../../../lib/app-spec";
import { loadStackConfig } from "../../../lib/stack-file";
import { connectivityChanges } from "../../../policy-pack/reachability/intent-diff";
import {
  INTENT_CONFIGMAP_KEY,
  INTENT_LABEL,
  parseIntentDocument,
  type IntentDocument,
} from "@k8s-netplat/contract";
import { deploy, ns } from "./cases";

type Obj = Record<string, unknown> & { kind: string; metadata: { labels?: Record<string, string> } };

/** The objects the program compiles for each cluster of `stack`, with the app spec changed by `edit`. */
function plan(stack: string, edit: (spec: AppSpec) => AppSpec = (s) => s): Obj[][] {
  const platform = loadStackConfig(stack);
  const app = resolveApp(edit(platform.app.spec));
  return platform.clusters.map((c) => clusterPlanObjects(planCluster(platform, app, c.name)) as Obj[]);
}

function intentOf(objects: Obj[]): IntentDocument {
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.labels?.[INTENT_LABEL] !== undefined)!;
  return parseIntentDocument((cm.data as Record<string, string>)[INTENT_CONFIGMAP_KEY]);
}

/** "opens frontend → payment TCP 8080 (intended)" per change. */
function show(before: Obj[], after: Obj[], intent = intentOf(after)): string[] {
  return connectivityChanges(before, after, intent, intentOf(before)).map(
    (c) => `${c.change} ${c.srcName} → ${c.dstName} ${c.conn.toString()} (${c.verdict})`,
  );
}

const withEdge = (edge: string) => (s: AppSpec) => ({ ...s, edges: [...s.edges, edge] });
const withoutEdge = (edge: string) => (s: AppSpec) => ({ ...s, edges: s.edges.filter((e) => e !== edge) });

describe("connectivity changes against the traffic intent", () => {
  const [prod] = plan("prod");

  it("an edge added to the intent opens that path, intended", () => {
    const [after] = plan("prod", withEdge("frontend -> payment:8080"));
    assert.deepStrictEqual(show(prod, after), ["opens frontend → payment TCP 8080 (intended)"]);
  });

  it("an edge removed from the intent closes that path, intended", () => {
    const [after] = plan("prod", withoutEdge("orders -> events:9092"));
    assert.deepStrictEqual(show(prod, after), ["closes orders → events TCP 9092 (intended)"]);
  });

  it("policies that open a path the intent does not declare: unintended", () => {
    const [after] = plan("prod", withEdge("frontend -> payment:8080"));
    assert.deepStrictEqual(show(prod, after, intentOf(prod)), [
      "opens frontend → payment TCP 8080 (unintended)",
    ]);
  });

  it("policies that close a path the intent still declares: unintended", () => {
    const [after] = plan("prod", withoutEdge("orders -> events:9092"));
    assert.deepStrictEqual(show(prod, after, intentOf(prod)), [
      "closes orders → events TCP 9092 (unintended)",
    ]);
  });

  it("a new external range opens to it and closes the old one, each named by its intent peer", () => {
    const [after] = plan("prod", (s) => ({
      ...s,
      externals: s.externals.map((x) => ({ ...x, cidrs: ["198.51.100.0/24"] })),
    }));
    // prod sends payment's SaaS calls through the egress gateway: the gateway's range changes.
    assert.deepStrictEqual(show(prod, after), [
      "opens istio-egressgateway → payment-gateway (198.51.100.0-198.51.100.255[External]) TCP 443 (intended)",
      "closes istio-egressgateway → payment-gateway (203.0.113.0-203.0.113.255[External]) TCP 443 (intended)",
    ]);
  });

  it("a change without connectivity effect (an image) gives no change", () => {
    const [after] = plan("prod", (s) => ({
      ...s,
      services: s.services.map((x) =>
        x.name === "orders" ? { ...x, image: "ghcr.io/example/orders:9.9.9" } : x,
      ),
    }));
    assert.deepStrictEqual(show(prod, after), []);
  });

  it("judges only pairs with an end in an app namespace; the rest is outside the intent", () => {
    const after = [...prod, ns("tools"), deploy("tools", "debug", { app: "debug" })] as Obj[];
    const changes = show(prod, after);
    assert.ok(changes.length > 0);
    assert.ok(
      changes.every((c) => c.endsWith("(outside intent)")),
      changes.join("\n"),
    );
    assert.ok(changes.includes("opens tools/debug[Deployment] → kube-dns All Connections (outside intent)"));
  });

  it("without an intent document nothing is judged", () => {
    const [after] = plan("prod", withEdge("frontend -> payment:8080"));
    const changes = connectivityChanges(prod, after, undefined);
    assert.deepStrictEqual(
      changes.map((c) => c.verdict),
      ["outside intent"],
    );
  });

  it("multi-cluster: a cross-cluster edge is named by the remote service it reaches", () => {
    const before = plan("multi-cluster");
    const after = plan("multi-cluster", withEdge("frontend -> payment:8080"));
    // us-east-1 egress to us-west-2's service range; us-west-2 already admits us-east-1's
    // pod range on 8080 (for orders), so its ingress does not change.
    assert.deepStrictEqual(show(before[0], after[0]), [
      "opens frontend → payment@remote-service TCP 8080 (intended)",
    ]);
    assert.deepStrictEqual(show(before[1], after[1]), []);
  });
});
