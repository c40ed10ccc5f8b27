import * as assert from "assert";
import Module from "module";
import * as path from "path";
import { manifestsToResources } from "../../../policy-pack/lib/load-manifests";
import { loadManifests } from "../../../policy-pack/manifests";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { runPack } from "../../../policy-pack/lib/run";
import { type IntentDocument, parseIntentDocument } from "@k8s-netplat/contract";
import { checkIntent } from "../../../policy-pack/reachability/check-intent";
import {
  type CheckIntent,
  type IntentFinding,
  makeReachabilityRule,
} from "../../../policy-pack/rules/reachability-matches-intent";
import { FIXTURES, fixtureManifests, runStack, summary, toResources, wrapProps } from "./harness";

const NAME = "reachability-matches-intent";

const intentConfigMap = (namespace: string, doc: unknown): K8sManifest => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "traffic-intent", namespace, labels: { "netplat.dev/traffic-intent": "true" } },
  data: { "intent.json": typeof doc === "string" ? doc : JSON.stringify(doc) },
});

const INTENT: IntentDocument = {
  version: 1,
  appNamespaces: ["shop"],
  peers: {
    frontend: { kind: "workload", namespace: "shop", podLabels: { app: "frontend" } },
    orders: { kind: "workload", namespace: "shop", podLabels: { app: "orders" } },
  },
  edges: [{ from: "frontend", to: "orders", port: 8080, protocol: "TCP", origin: "app" }],
};

/** A stub engine that records its input and returns canned findings. */
function stub(findings: IntentFinding[]) {
  const calls: Array<{ objects: unknown[]; intent: IntentDocument }> = [];
  const engine: CheckIntent = (objects, intent) => {
    calls.push({ objects, intent });
    return findings;
  };
  return { calls, rule: makeReachabilityRule(engine) };
}

const run = (rule: ReturnType<typeof makeReachabilityRule>, res: ReturnType<typeof toResources>) =>
  runPack(res, { [NAME]: "mandatory" }, { policies: [rule], wrapProps });

describe("reachability-matches-intent (wrapper, with a stub engine)", () => {
  it("is compliant when the engine finds nothing, and hands it plain manifests with namespaces filled in", () => {
    const { calls, rule } = stub([]);
    const ms = fixtureManifests("secure");
    const svc = ms.find((m) => m.kind === "Service" && m.metadata.name === "frontend")!;
    delete svc.metadata.namespace;
    const res = toResources([...ms, intentConfigMap("shop", INTENT)], {
      providerProps: { namespace: "shop" },
      providerUrn: "urn:p::c1",
    });
    assert.deepStrictEqual(run(rule, res), []);
    assert.strictEqual(calls.length, 1);
    assert.deepStrictEqual(calls[0].intent, INTENT);
    const objects = calls[0].objects as K8sManifest[];
    assert.strictEqual(
      objects.find((o) => o.kind === "Service" && o.metadata.name === "frontend")?.metadata.namespace,
      "shop",
    );
    assert.strictEqual(objects.find((o) => o.kind === "ClusterIssuer")?.metadata.namespace, undefined);
    assert.ok(objects.every((o) => typeof o.apiVersion === "string" && typeof o.kind === "string"));
  });

  it("reports each finding as a violation on the intent ConfigMap", () => {
    const { rule } = stub([
      {
        kind: "unintended",
        src: "frontend",
        dst: "payment",
        conn: "TCP 8080",
        allowedBy: "egress: shop/allow-all egress[0]; ingress: no Ingress policy on shop/payment",
      },
      {
        kind: "blocked",
        edge: { from: "frontend", to: "orders", port: 8080, protocol: "TCP", origin: "app" },
        src: "frontend",
        dst: "orders",
      },
    ]);
    const vs = run(rule, toResources([...fixtureManifests("secure"), intentConfigMap("shop", INTENT)]));
    assert.deepStrictEqual(
      vs.map((v) => `${v.kind} ${v.namespace}/${v.name}`),
      ["ConfigMap shop/traffic-intent", "ConfigMap shop/traffic-intent"],
    );
    assert.match(
      vs[0].message,
      /^unintended flow frontend -> payment \(TCP 8080\) is allowed by egress: shop\/allow-all egress\[0\]; ingress: no Ingress policy on shop\/payment\. Narrow/,
    );
    assert.match(
      vs[1].message,
      /^declared flow frontend -> orders:8080\/TCP \(frontend -> orders\) is blocked/,
    );
  });

  it("checks each cluster with its own objects and intent", () => {
    const { calls, rule } = stub([]);
    const ms = fixtureManifests("secure");
    const east = toResources([...ms, intentConfigMap("shop", INTENT)], { providerUrn: "urn:p::east" }).map(
      (r) => ({ ...r, urn: `${r.urn}-e` }),
    );
    const west = toResources(ms.slice(0, 3), { providerUrn: "urn:p::west" }).map((r) => ({
      ...r,
      urn: `${r.urn}-w`,
    }));
    run(rule, [...east, ...west]);
    assert.strictEqual(calls.length, 1, "only the cluster with an intent ConfigMap is checked");
    assert.strictEqual(calls[0].objects.length, ms.length + 1);
  });

  it("reports an unreadable intent, and is not applicable without an intent ConfigMap", () => {
    const { rule, calls } = stub([]);
    const vs = run(rule, toResources([intentConfigMap("shop", "{not json")]));
    assert.strictEqual(vs.length, 1);
    assert.match(vs[0].message, /the traffic intent cannot be read: traffic intent: not valid JSON/);
    assert.deepStrictEqual(run(rule, toResources(fixtureManifests("secure"))), []);
    assert.strictEqual(calls.length, 0);
  });
});

describe("reachability-matches-intent (fails closed)", () => {
  const RULE = require.resolve("../../../policy-pack/rules/reachability-matches-intent");
  const ENGINE = require.resolve("../../../policy-pack/reachability/check-intent");

  it("does not load without its reachability engine, rather than passing as not applicable", () => {
    // Make policy-pack/reachability/check-intent unresolvable, as in a pack shipped without it.
    type Resolve = (request: string, ...rest: unknown[]) => string;
    const M = Module as unknown as { _resolveFilename: Resolve };
    const resolve = M._resolveFilename;
    const cached = [RULE, ENGINE].map((f) => [f, require.cache[f]] as const);
    M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
      if (/reachability\/check-intent$/.test(request)) {
        throw Object.assign(new Error(`Cannot find module '${request}'`), { code: "MODULE_NOT_FOUND" });
      }
      return resolve.call(this, request, ...rest);
    };
    // Node answers a module's repeated relative require from its cache, so drop both entries.
    for (const [f] of cached) delete require.cache[f];
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      assert.throws(() => require(RULE), /Cannot find module '\.\.\/reachability\/check-intent'/);
    } finally {
      M._resolveFilename = resolve;
      for (const [f, m] of cached) {
        delete require.cache[f];
        if (m) require.cache[f] = m;
      }
    }
  });

  it("reports, never skips, when the engine throws on the policies", () => {
    const rule = makeReachabilityRule(() => {
      throw new Error("NetworkPolicy shop/x: spec.podSelector is missing");
    });
    const vs = run(rule, toResources([...fixtureManifests("secure"), intentConfigMap("shop", INTENT)]));
    assert.deepStrictEqual(
      vs.map((v) => [v.level, v.message.split(".")[0]]),
      [["mandatory", "reachability cannot be computed: NetworkPolicy shop/x: spec"]],
    );
  });
});

// The real engine, imported: without it this file fails to load instead of skipping.
describe("reachability-matches-intent (real engine)", () => {
  it("fires on the insecure fixture's intent ConfigMap with the engine's own complaint", () => {
    const vs = runStack(
      manifestsToResources(loadManifests([path.join(FIXTURES, "insecure")])),
      "prod",
    ).filter((v) => v.policy === NAME);
    assert.ok(vs.length > 0, "no finding");
    assert.ok(
      vs.every((v) => v.kind === "ConfigMap" && v.namespace === "shop" && v.name === "traffic-intent"),
      summary(vs),
    );
    // The pack's rule ran the engine, not a stand-in: each flow the engine itself finds
    // out of intent for this fixture is one of the rule's violations.
    const manifests = loadManifests([path.join(FIXTURES, "insecure")]).map((l) => l.manifest);
    const cm = manifests.find((m) => m.kind === "ConfigMap" && m.metadata?.name === "traffic-intent")!;
    const intent = parseIntentDocument((cm as { data: Record<string, string> }).data["intent.json"]);
    const findings = checkIntent(manifests, intent);
    assert.ok(findings.length > 0, "the engine finds the insecure fixture's policies out of intent");
    assert.equal(vs.length, findings.length, summary(vs));
    for (const f of findings) {
      const phrase = f.kind === "unintended" ? "unintended flow" : "declared flow";
      assert.ok(
        vs.some((v) => v.message.includes(phrase)),
        `no violation for the engine's ${f.kind} finding in:\n${summary(vs)}`,
      );
    }
  });
});
