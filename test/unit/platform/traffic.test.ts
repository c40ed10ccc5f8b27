/**
 * Traffic management from config (lib/traffic.ts): what the door refuses, the objects
 * each version and route becomes, that the intent compiler's policies cover every
 * version's pods, and that the pack's workload and fault rules see them.
 */
import { strict as assert } from "assert";
import { PlatformConfig, parsePlatformConfig } from "../../../lib/config";
import { configProblems } from "../../support/config-problems";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { K8sObject } from "../../../lib/k8s-object";
import { NAME_LABEL, resolveApp } from "../../../lib/intent";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { VERSION_LABEL, serviceObjects } from "../../../lib/traffic";
import { runPack } from "../../../policy-pack/lib/run";
import { validateAgainstSchema } from "../../support/schema";
import { toResources } from "../policy/harness";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const raw = (stack: string): Raw => structuredClone(readRawPlatformConfig(stackFile(stack))) as Raw;

const problems = configProblems;

function objectsOf(c: PlatformConfig, cluster = c.clusters[0].name): K8sObject[] {
  return clusterPlanObjects(planCluster(c, resolveApp(c.app.spec), cluster));
}

const of = (objs: K8sObject[], kind: string, name?: string) =>
  objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objs: K8sObject[], kind: string, name: string) => {
  const found = of(objs, kind, name);
  assert.equal(found.length, 1, `${kind} ${name}: ${found.length} found`);
  return found[0] as K8sObject & { spec: Raw };
};

/** Whether a matchLabels selector selects pods with these labels. */
const selects = (sel: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(sel).every(([k, v]) => labels[k] === v);

/** A prod stack with a canary on orders (no fault: prod refuses it). */
function prodCanary(v2Replicas?: number): Raw {
  const c = raw("prod");
  c.app.traffic = {
    orders: {
      versions: {
        v1: {},
        v2: { image: "ghcr.io/example/orders:2.5.0", ...(v2Replicas ? { replicas: v2Replicas } : {}) },
      },
      weights: { v1: 90, v2: 10 },
      timeout: "3s",
      retries: { attempts: 2, perTryTimeout: "1s" },
    },
  };
  return c;
}

describe("traffic management: config at the door", () => {
  it("accepts the dev stack's canary and fault, and carries the versions into the app spec", () => {
    const c = parsePlatformConfig(raw("dev"));
    const orders = c.app.spec.services.find((s) => s.name === "orders")!;
    assert.deepEqual(
      orders.versions!.map((v) => [v.name, v.weight, v.image]),
      [
        ["v1", 90, "ghcr.io/example/orders:2.4.1"],
        ["v2", 10, "ghcr.io/example/orders:2.5.0"],
      ],
    );
    assert.ok(c.app.traffic.payment.fault);
  });

  const cases: Array<[string, (c: Raw) => void, RegExp]> = [
    [
      "weights that do not sum to 100",
      (c) => (c.app.traffic.orders.weights = { v1: 80, v2: 10 }),
      /app\.traffic\.orders\.weights: sum to 90 \(v1: 80, v2: 10\); they must sum to 100/,
    ],
    [
      "a weight for a version that does not exist",
      (c) => (c.app.traffic.orders.weights = { v1: 90, v3: 10 }),
      /app\.traffic\.orders\.weights\.v3: no such version \(declared: v1, v2\)/,
    ],
    [
      "a version without a weight",
      (c) => (c.app.traffic.orders.weights = { v1: 100 }),
      /app\.traffic\.orders\.weights: no weight for v2; give every version a weight/,
    ],
    [
      "weights without versions",
      (c) => (c.app.traffic.inventory = { weights: { v1: 100 } }),
      /app\.traffic\.inventory\.weights: weights name versions, and inventory declares none/,
    ],
    [
      "a retry budget over the timeout",
      (c) => (c.app.traffic.orders.retries = { attempts: 3, perTryTimeout: "1s" }),
      /app\.traffic\.orders\.retries: the first try and 3 retries of 1s each take up to 4000ms, more than timeout 3s/,
    ],
    [
      "a malformed duration",
      (c) => (c.app.traffic.orders.timeout = "3 seconds"),
      /app\.traffic\.orders\.timeout: must be a duration like "500ms" or "2s"/,
    ],
    [
      "an unknown retryOn policy",
      (c) => (c.app.traffic.orders.retries.retryOn = "5xx,sometimes"),
      /app\.traffic\.orders\.retries\.retryOn: must be a comma-separated list of: 5xx, gateway-error/,
    ],
    [
      "traffic management without the mesh",
      (c) => {
        c.istio = { enabled: false };
      },
      /app\.traffic\.orders: versions, weights, timeouts, retries and faults are applied by Istio's sidecars.*set istio\.enabled: true/,
    ],
    [
      "an unknown service",
      (c) => (c.app.traffic.basket = { timeout: "1s" }),
      /app\.traffic\.basket: no such service \(accepted: frontend, orders, inventory, payment\)/,
    ],
    [
      "the Kafka StatefulSet",
      (c) => (c.app.traffic.events = { timeout: "1s" }),
      /app\.traffic\.events: events is a StatefulSet speaking TCP; traffic management routes HTTP Deployments/,
    ],
    [
      "a fault from a service with no edge to it",
      (c) => (c.app.traffic.payment.fault.from = ["frontend"]),
      /app\.traffic\.payment\.fault\.from: frontend has no edge to payment \(callers with a sidecar: orders\)/,
    ],
    [
      "a fault with neither delay nor abort",
      (c) => (c.app.traffic.payment.fault = { from: ["orders"] }),
      /app\.traffic\.payment\.fault: names neither delay nor abort/,
    ],
    [
      "versions of the F5 NGINX controller's backend",
      (c) => (c.app.traffic.frontend = { versions: { v1: {}, v2: {} }, weights: { v1: 50, v2: 50 } }),
      /app\.traffic\.frontend\.versions: frontend is the ingress controller's backend, and F5 NGINX sends the public Host header/,
    ],
  ];
  cases.push(
    [
      "a timeout on a backend only F5 NGINX calls (no sidecar applies it)",
      (c) => (c.app.traffic.frontend = { timeout: "2s" }),
      /app\.traffic\.frontend: frontend is called only by the F5 NGINX controller.*timeout, retries and fault would do nothing/,
    ],
    [
      "retries on a backend only the gateway-api gateway calls",
      (c) => {
        c.ingress = { controller: "gateway-api", serviceType: "NodePort" };
        c.app.traffic.frontend = { timeout: "5s", retries: { attempts: 1, perTryTimeout: "2s" } };
      },
      /app\.traffic\.frontend\.retries: frontend is called only through the Istio gateway, which follows the HTTPRoute/,
    ],
  );
  for (const [what, mutate, expected] of cases) {
    it(`refuses ${what}, naming the key and what is accepted`, () => {
      const c = raw("dev");
      mutate(c);
      const found = problems(c);
      assert.ok(
        found.some((p) => expected.test(p)),
        `expected ${expected} among:\n${found.join("\n")}`,
      );
    });
  }

  it("refuses a fault in prod at config time (the pack refuses it in manifests too)", () => {
    const c = prodCanary();
    c.app.traffic.payment = { fault: { abort: { percent: 5, httpStatus: 503 } } };
    assert.ok(
      problems(c).some((p) =>
        /^platform\.app\.traffic\.payment\.fault: fault injection is for resilience tests and refused when environment is prod/.test(
          p,
        ),
      ),
      problems(c).join("\n"),
    );
    delete c.app.traffic.payment;
    assert.deepEqual(problems(c), []);
  });

  it("refuses traffic config for a service called across clusters (multi-cluster) unless the clusters are one mesh", () => {
    const c = raw("multi-cluster");
    // Without one mesh (PERMISSIVE in dev, where cross-cluster edges are accepted).
    delete c.istio.oneMesh;
    c.istio.mtlsMode = "PERMISSIVE";
    c.environment = "dev";
    c.platformNetworkPolicies = true;
    c.app.traffic = { inventory: { timeout: "2s" } };
    assert.ok(
      problems(c).some((p) =>
        /app\.traffic\.inventory: inventory is called across clusters by frontend, orders .*or make the clusters one mesh \(istio\.oneMesh: true\)/.test(
          p,
        ),
      ),
      problems(c).join("\n"),
    );
    c.app.traffic = { orders: { timeout: "2s" } };
    assert.deepEqual(problems(c), []);
    // One mesh: the callers' cluster gets inventory's routing too (test/unit/platform/one-mesh.test.ts).
    const mesh = raw("multi-cluster");
    mesh.app.traffic = { inventory: { timeout: "2s" } };
    assert.deepEqual(problems(mesh), []);
  });
});

describe("traffic management: objects", () => {
  const dev = parsePlatformConfig(raw("dev"));
  const objs = objectsOf(dev);

  it("runs each version as its own Deployment, labelled version, both selected by the one Service", () => {
    assert.deepEqual(of(objs, "Deployment", "orders"), []);
    const service = one(objs, "Service", "orders");
    for (const [v, image] of [
      ["v1", "ghcr.io/example/orders:2.4.1"],
      ["v2", "ghcr.io/example/orders:2.5.0"],
    ]) {
      const d = one(objs, "Deployment", `orders-${v}`);
      const podLabels = d.spec.template.metadata.labels as Record<string, string>;
      assert.equal(podLabels[VERSION_LABEL], v);
      assert.deepEqual(d.spec.selector.matchLabels, { [NAME_LABEL]: "orders", [VERSION_LABEL]: v });
      assert.equal(d.spec.template.spec.containers[0].image, image);
      assert.ok(selects(service.spec.selector, podLabels), `Service orders does not select ${v}'s pods`);
    }
    assert.equal(of(objs, "ServiceAccount", "orders").length, 1);
  });

  it("makes subsets that select exactly their version's pods, and a VirtualService with weights, timeout, retries", () => {
    const dr = one(objs, "DestinationRule", "orders");
    assert.equal(dr.spec.host, "orders.shop.svc.cluster.local");
    for (const subset of dr.spec.subsets as Array<{ name: string; labels: Record<string, string> }>) {
      const pods = of(objs, "Deployment")
        .filter((d) => selects(subset.labels, (d.spec as Raw).template.metadata.labels))
        .map((d) => d.metadata.name);
      assert.deepEqual(pods, [`orders-${subset.name}`]);
    }
    const vs = one(objs, "VirtualService", "orders");
    assert.deepEqual(vs.spec.hosts, ["orders.shop.svc.cluster.local"]);
    const [route] = vs.spec.http;
    assert.deepEqual(
      route.route.map((r: Raw) => [r.destination.subset, r.weight]),
      [
        ["v1", 90],
        ["v2", 10],
      ],
    );
    assert.equal(route.timeout, "3s");
    assert.deepEqual(route.retries, {
      attempts: 2,
      perTryTimeout: "1s",
      retryOn: "5xx,reset,connect-failure",
    });
    assert.equal(route.fault, undefined);
  });

  it("injects the fault on the orders -> payment edge only, and routes other callers untouched", () => {
    const vs = one(objs, "VirtualService", "payment");
    const [faulty, rest] = vs.spec.http;
    assert.deepEqual(faulty.match, [{ sourceLabels: { [NAME_LABEL]: "orders" } }]);
    assert.deepEqual(faulty.fault, {
      delay: { percentage: { value: 10 }, fixedDelay: "2s" },
      abort: { percentage: { value: 5 }, httpStatus: 503 },
    });
    assert.equal(rest.match, undefined);
    assert.equal(rest.fault, undefined);
    assert.equal(of(objs, "DestinationRule", "payment").length, 0);
  });

  it("satisfies the upstream schemas (Istio, Gateway API, built-in kinds)", async () => {
    const gw = raw("dev");
    gw.ingress = { controller: "gateway-api", serviceType: "NodePort" };
    gw.app.traffic.frontend = { versions: { v1: {}, v2: {} }, weights: { v1: 80, v2: 20 }, timeout: "5s" };
    const all = [...objs, ...objectsOf(parsePlatformConfig(gw))];
    const kinds = new Set<string>();
    for (const o of all) {
      if (!["VirtualService", "DestinationRule", "HTTPRoute", "Deployment", "Service"].includes(o.kind))
        continue;
      assert.deepEqual(await validateAgainstSchema(o), { status: "valid" });
      kinds.add(o.kind);
    }
    assert.deepEqual([...kinds].sort(), [
      "Deployment",
      "DestinationRule",
      "HTTPRoute",
      "Service",
      "VirtualService",
    ]);
    // The schema check can fail: a weight as a string is refused.
    const bad = structuredClone(one(objs, "VirtualService", "orders"));
    bad.spec.http[0].route[0].weight = "90";
    await assert.rejects(validateAgainstSchema(bad), /weight/);
  });

  it("weights the HTTPRoute at a gateway-api edge across one Service per version", () => {
    const c = raw("dev");
    c.ingress = { controller: "gateway-api", serviceType: "NodePort" };
    c.app.traffic.frontend = { versions: { v1: {}, v2: {} }, weights: { v1: 80, v2: 20 }, timeout: "5s" };
    const gw = objectsOf(parsePlatformConfig(c));
    const route = one(gw, "HTTPRoute", "frontend");
    const [rule] = route.spec.rules;
    assert.deepEqual(rule.backendRefs, [
      { name: "frontend-v1", port: 80, weight: 80 },
      { name: "frontend-v2", port: 80, weight: 20 },
    ]);
    assert.deepEqual(rule.timeouts, { request: "5000ms" });
    for (const v of ["v1", "v2"]) {
      const svc = one(gw, "Service", `frontend-${v}`);
      const pods = of(gw, "Deployment")
        .filter((d) => selects(svc.spec.selector, (d.spec as Raw).template.metadata.labels))
        .map((d) => d.metadata.name);
      assert.deepEqual(pods, [`frontend-${v}`]);
      assert.equal(svc.spec.ports[0].targetPort, "http");
    }
  });

  it("gives each version its own HPA and PDB where the stack asks for them", () => {
    const prod = objectsOf(parsePlatformConfig(prodCanary()));
    for (const v of ["v1", "v2"]) {
      assert.equal(
        one(prod, "HorizontalPodAutoscaler", `orders-${v}`).spec.scaleTargetRef.name,
        `orders-${v}`,
      );
      assert.deepEqual(one(prod, "PodDisruptionBudget", `orders-${v}`).spec.selector.matchLabels, {
        [NAME_LABEL]: "orders",
        [VERSION_LABEL]: v,
      });
    }
    assert.deepEqual(of(prod, "PodDisruptionBudget", "orders"), []);
  });

  it("deploys a version weighted 0 (subset and Deployment) without routing to it", () => {
    const c = raw("dev");
    c.app.traffic.orders.weights = { v1: 100, v2: 0 };
    const o = objectsOf(parsePlatformConfig(c));
    one(o, "Deployment", "orders-v2");
    assert.deepEqual(
      one(o, "DestinationRule", "orders").spec.subsets.map((x: Raw) => x.name),
      ["v1", "v2"],
    );
    assert.deepEqual(
      one(o, "VirtualService", "orders").spec.http[0].route.map((r: Raw) => [r.destination.subset, r.weight]),
      [["v1", 100]],
    );
  });

  it("leaves a service without versions exactly as before", () => {
    const payment = dev.app.spec.services.find((s) => s.name === "payment")!;
    assert.equal(payment.versions, undefined);
    assert.deepEqual(
      serviceObjects(payment, {
        namespace: "shop",
        partOf: "shop",
        replicas: 1,
        podDisruptionBudget: false,
      }).map((o) => `${o.kind}/${o.metadata.name}`),
      ["ServiceAccount/payment", "Service/payment", "Deployment/payment"],
    );
  });
});

describe("traffic management: the intent compiler and the pack see every version", () => {
  const dev = parsePlatformConfig(raw("dev"));
  const objs = objectsOf(dev);
  const podsOf = (name: string) =>
    of(objs, "Deployment")
      .filter((d) => (d.spec as Raw).template.metadata.labels[NAME_LABEL] === name)
      .map((d) => ({ name: d.metadata.name, labels: (d.spec as Raw).template.metadata.labels }));

  it("NetworkPolicies for orders (both directions) and its AuthorizationPolicy select both versions' pods", () => {
    const versions = podsOf("orders");
    assert.deepEqual(
      versions.map((v) => v.name),
      ["orders-v1", "orders-v2"],
    );
    for (const direction of ["Ingress", "Egress"]) {
      const own = of(objs, "NetworkPolicy").filter(
        (np) =>
          (np.spec as Raw).policyTypes.includes(direction) &&
          (np.spec as Raw).podSelector.matchLabels?.[NAME_LABEL] === "orders",
      );
      assert.ok(own.length > 0, direction);
      for (const np of own)
        for (const v of versions)
          assert.ok(
            selects((np.spec as Raw).podSelector.matchLabels, v.labels),
            `${np.metadata.name} misses ${v.name}`,
          );
    }
    const ap = one(objs, "AuthorizationPolicy", "allow-to-orders");
    for (const v of versions) assert.ok(selects(ap.spec.selector.matchLabels, v.labels), v.name);
  });

  it("the pack (dev and prod levels) finds the reachability equal to intent and every version covered", () => {
    const dangerous = (vs: ReturnType<typeof runPack>) =>
      vs.filter((v) => v.level === "mandatory" || /reachability|coverage|default-deny/.test(v.policy));
    assert.deepEqual(dangerous(runPack(toResources(objs as K8sManifest[]), "dev")), []);
    const prod = objectsOf(parsePlatformConfig(prodCanary()));
    assert.deepEqual(dangerous(runPack(toResources(prod as K8sManifest[]), "prod")), []);
  });

  it("a version whose pods the intent does not name is caught by the reachability check (the check can fail)", () => {
    const broken = structuredClone(objs);
    const v2 = broken.find((o) => o.kind === "Deployment" && o.metadata.name === "orders-v2")!;
    // A version Deployment someone labelled by hand without the name label.
    const spec = v2.spec as Raw;
    delete spec.template.metadata.labels[NAME_LABEL];
    spec.selector.matchLabels = { app: "orders", [VERSION_LABEL]: "v2" };
    const vs = runPack(toResources(broken as K8sManifest[]), "prod");
    assert.ok(
      vs.some(
        (v) =>
          v.policy === "reachability-matches-intent" &&
          v.level === "mandatory" &&
          v.message.includes("shop/orders-v2[Deployment]"),
      ),
      vs.map((v) => `${v.policy} ${v.name}: ${v.message}`).join("\n"),
    );
  });

  it("prod's workload rules judge each version's Deployment: a 1-replica canary fails HA by name", () => {
    const c = prodCanary(1);
    delete c.app.autoscaling; // with an HPA, its minReplicas owns every version's count
    const prod = objectsOf(parsePlatformConfig(c));
    const vs = runPack(toResources(prod as K8sManifest[]), "prod").filter((v) => v.level === "mandatory");
    assert.ok(
      vs.some((v) => v.policy === "kubernetes-deployment-ha" && v.name === "orders-v2"),
      vs.map((v) => `${v.policy} ${v.name}: ${v.message}`).join("\n"),
    );
    assert.ok(!vs.some((v) => v.name === "orders-v1"));
  });

  it("prod's pack refuses the dev fault in manifests (istio-virtualservice-no-fault, mandatory), dev's allows it", () => {
    const fault = one(objs, "VirtualService", "payment");
    const prod = [...objectsOf(parsePlatformConfig(prodCanary())), fault];
    const vs = runPack(toResources(prod as K8sManifest[]), "prod").filter((v) => v.level === "mandatory");
    assert.deepEqual(
      vs.map((v) => `${v.policy} ${v.kind} ${v.name}`),
      ["istio-virtualservice-no-fault VirtualService payment"],
    );
    assert.ok(
      !runPack(toResources(objs as K8sManifest[]), "dev").some(
        (v) => v.policy === "istio-virtualservice-no-fault",
      ),
    );
    assert.ok(
      runPack(toResources([fault] as K8sManifest[]), "multi-cluster").some(
        (v) => v.policy === "istio-virtualservice-no-fault" && v.level === "mandatory",
      ),
    );
  });
});
