/**
 * The connectivity section's extraction, on event streams shaped like the engine's
 * (`resourcePreEvent.metadata` with `old`/`new` states and their `inputs`), built here
 * from the objects the program compiles, so every step kind can be exercised. The real
 * engine's output is tested in preview-summary.test.ts (test/fixtures/preview/).
 */
import * as assert from "assert";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import type { AppSpec } from "../../../lib/app-spec";
import { loadStackConfig } from "../../../lib/stack-file";
import {
  connectivityFailures,
  previewConnectivity,
  StateCollector,
  type ConnectivityReport,
} from "../../../scripts/lib/preview-connectivity";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function plan(stack: string, edit: (s: AppSpec) => AppSpec = (s) => s): Map<string, Obj[]> {
  const platform = loadStackConfig(stack);
  const app = resolveApp(edit(platform.app.spec));
  return new Map(
    platform.clusters.map((c) => [c.name, clusterPlanObjects(planCluster(platform, app, c.name)) as Obj[]]),
  );
}

const typeOf = (o: Obj) =>
  `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
const urnOf = (stack: string, cluster: string, o: Obj) =>
  `urn:pulumi:${stack}::k8s-netplat::k8s-netplat:platform:Platform$${typeOf(o)}::${cluster}-${o.metadata.namespace ?? ""}-${o.kind}-${o.metadata.name}`;

/** Pre-event metadata the engine would report going from `before` to `after`, per cluster. */
function events(stack: string, before: Map<string, Obj[]>, after: Map<string, Obj[]>) {
  const out: Record<string, unknown>[] = [];
  for (const cluster of new Set([...before.keys(), ...after.keys()])) {
    const provider = `urn:pulumi:${stack}::k8s-netplat::pulumi:providers:kubernetes::${cluster}::0b5c5e43`;
    const b = new Map((before.get(cluster) ?? []).map((o) => [urnOf(stack, cluster, o), o]));
    const a = new Map((after.get(cluster) ?? []).map((o) => [urnOf(stack, cluster, o), o]));
    for (const urn of new Set([...b.keys(), ...a.keys()])) {
      const o = b.get(urn);
      const n = a.get(urn);
      const state = (x: Obj | undefined) => x && { urn, type: typeOf(x), inputs: x };
      const op = !o ? "create" : !n ? "delete" : JSON.stringify(o) === JSON.stringify(n) ? "same" : "update";
      out.push({ op, urn, type: typeOf((n ?? o)!), old: state(o) ?? null, new: state(n) ?? null, provider });
    }
  }
  out.push({
    op: "same",
    urn: `urn:pulumi:${stack}::k8s-netplat::pulumi:pulumi:Stack::s`,
    type: "pulumi:pulumi:Stack",
    provider: "",
  });
  return out;
}

function report(metadata: Record<string, unknown>[]): ConnectivityReport {
  const c = new StateCollector();
  metadata.forEach((m) => c.add(m));
  return previewConnectivity(c.states());
}

function show(r: ConnectivityReport): Record<string, string[]> {
  assert.ok(r.available, JSON.stringify(r));
  return Object.fromEntries(
    r.clusters.map((c) => [
      c.cluster,
      c.error
        ? [`error: ${c.error}`]
        : c.changes.map((x) => `${x.change} ${x.srcName} → ${x.dstName} ${x.conn.toString()} (${x.verdict})`),
    ]),
  );
}

const addEdge = (s: AppSpec) => ({ ...s, edges: [...s.edges, "frontend -> payment:8080"] });

describe("preview connectivity: old and new states of every resource, per cluster", () => {
  it("an added edge: creates and updates over unchanged resources give the one opened path", () => {
    assert.deepStrictEqual(show(report(events("prod", plan("prod"), plan("prod", addEdge)))), {
      prod: ["opens frontend → payment TCP 8080 (intended)"],
    });
  });

  it("nothing changed: every step `same`, no connectivity change", () => {
    assert.deepStrictEqual(show(report(events("prod", plan("prod"), plan("prod")))), { prod: [] });
  });

  it("a first deployment (creates only) opens every declared path", () => {
    const r = show(report(events("dev", new Map(), plan("dev"))));
    // dev's canary: orders runs as two Deployments, each shown by its workload name.
    for (const v of ["v1", "v2"])
      assert.ok(
        r.dev.includes(`opens frontend → orders (shop/orders-${v}) TCP 8080 (intended)`),
        r.dev.join("\n"),
      );
    assert.ok(r.dev.includes("opens ingress-controller → frontend TCP 8080 (intended)"), r.dev.join("\n"));
    assert.ok(
      r.dev.every((x) => !x.endsWith("(unintended)")),
      r.dev.join("\n"),
    );
  });

  it("a replacement (replace, create-replacement, delete-replaced) counts once on each side", () => {
    const before = plan("prod");
    const after = plan("prod", addEdge);
    const md = events("prod", before, after).flatMap((m) =>
      m.op === "update"
        ? ["replace", "create-replacement", "delete-replaced"].map((op) => ({
            ...m,
            op,
            old: op === "create-replacement" ? null : m.old,
            new: op === "delete-replaced" ? null : m.new,
          }))
        : [m],
    );
    assert.ok(md.some((m) => m.op === "delete-replaced"));
    assert.deepStrictEqual(show(report(md)), { prod: ["opens frontend → payment TCP 8080 (intended)"] });
  });

  it("one section per cluster (provider) of the multi-cluster stack", () => {
    const r = report(events("multi-cluster", plan("multi-cluster"), plan("multi-cluster", addEdge)));
    assert.deepStrictEqual(show(r), {
      "us-east-1": ["opens frontend → payment@remote-service TCP 8080 (intended)"],
      "us-west-2": [],
    });
    assert.deepStrictEqual(connectivityFailures(r), []);
  });

  it("an undeclared opening fails, naming the cluster and the path", () => {
    const before = plan("prod");
    const after = plan("prod", addEdge);
    // The new policies, but the intent ConfigMap as it was: the path is not declared.
    const intent = (objs: Obj[]) =>
      objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === "traffic-intent")!;
    const tampered = new Map([
      [
        "prod",
        after.get("prod")!.map((o) => (o === intent(after.get("prod")!) ? intent(before.get("prod")!) : o)),
      ],
    ]);
    const r = report(events("prod", before, tampered));
    assert.deepStrictEqual(show(r), { prod: ["opens frontend → payment TCP 8080 (unintended)"] });
    assert.deepStrictEqual(connectivityFailures(r), [
      "cluster prod opens an unintended path: frontend → payment TCP 8080",
    ]);
  });

  it("a value known only after the update makes the cluster not computable, and fails", () => {
    const after = plan("prod", addEdge);
    const np = after
      .get("prod")!
      .find((o) => o.kind === "NetworkPolicy" && o.metadata.name.startsWith("allow-frontend-to-payment"))!;
    (np as unknown as { spec: Record<string, unknown> }).spec.podSelector = UNKNOWN;
    const r = report(events("prod", plan("prod"), after));
    const [msg] = show(r).prod;
    assert.match(
      msg,
      /^error: NetworkPolicy shop\/allow-frontend-to-payment-tcp-8080-egress has values known only after the update \(\.spec\.podSelector\)$/,
    );
    assert.match(
      connectivityFailures(r)[0],
      /^connectivity of cluster prod cannot be computed: NetworkPolicy/,
    );
  });

  it("says what is missing when the states carry no inputs (trimmed output)", () => {
    const md = events("prod", plan("prod"), plan("prod")).map((m) => ({
      ...m,
      old: m.old && { urn: m.urn, type: m.type },
      new: m.new && { urn: m.urn, type: m.type },
    }));
    assert.deepStrictEqual(report(md), {
      available: false,
      reason: "the preview output carries no resource inputs (old and new states)",
    });
    assert.deepStrictEqual(connectivityFailures(report(md)), []);
  });
});
