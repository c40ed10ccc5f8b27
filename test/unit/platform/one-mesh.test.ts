/**
 * One mesh across clusters (istio.oneMesh) as the config and the intent compiler see it:
 * refusal of cross-cluster edges under STRICT without one mesh, NetworkPolicies to the
 * remote pods on the pod port, istiod to the other clusters' API servers, and the
 * reachability check (reachability-matches-intent's engine) agreeing with the intent, and
 * the name a caller dials: the callee's Service defined in the caller's cluster too.
 */
import { strict as assert } from "assert";
import { parsePlatformConfig } from "../../../lib/config";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { K8sObject, RUNS_ON_ANNOTATION } from "../../../lib/k8s-object";
import { dialNames } from "../../../lib/placement";
import { SHOP_APP } from "../../../lib/default-app";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { stackSecretProblems } from "../../../lib/stack-secrets";
import { checkIntent } from "../../../policy-pack/reachability/check-intent";
import { parseIntentDocument } from "@k8s-netplat/contract";
import { configProblems } from "../../support/config-problems";
import { PLACEHOLDER_SECRETS } from "../../../scripts/lib/workspace";

type Raw = Record<string, unknown> & {
  clusters: Array<Record<string, unknown>>;
  istio: Record<string, unknown>;
  submariner: Record<string, unknown>;
  app: Record<string, unknown>;
};
const multi = () => structuredClone(readRawPlatformConfig(stackFile("multi-cluster"))) as Raw;

/**
 * The multi-cluster stack plus `inventory -> frontend:80`: frontend's Service port (80)
 * differs from its pod port (8080), so the test tells which one a policy names.
 */
function withCrossClusterTargetPort(r: Raw): Raw {
  r.app.edges = [...SHOP_APP.edges, "inventory -> frontend:80"];
  return r;
}

function plan(r: Raw, cluster: string) {
  const platform = parsePlatformConfig(r);
  const p = planCluster(platform, resolveApp(platform.app.spec), cluster);
  const intent = parseIntentDocument(String((p.shop.intent.data as Record<string, string>)["intent.json"]));
  return { plan: p, objects: clusterPlanObjects(p), intent };
}

const spec = (objects: K8sObject[], name: string) =>
  objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === name)?.spec as
    | {
        egress?: Array<{ to: unknown[]; ports: unknown[] }>;
        ingress?: Array<{ from: unknown[]; ports: unknown[] }>;
      }
    | undefined;

describe("one mesh across clusters (istio.oneMesh)", function () {
  this.timeout(120_000);

  describe("config", () => {
    it("refuses cross-cluster edges under STRICT when the clusters are not one mesh, naming the key and what is accepted", () => {
      const r = multi();
      delete r.istio.oneMesh;
      const found = configProblems(r);
      assert.ok(found.length >= 1);
      assert.match(
        found.join("\n"),
        /platform\.app\.edges: orders -> payment crosses clusters \(us-east-1 -> us-west-2\) under istio\.mtlsMode STRICT, but the clusters are not one mesh.*set istio\.oneMesh: true .*k8s-netplat:meshRootCa/,
      );
    });

    it("accepts them with istio.oneMesh, and accepts them without it under PERMISSIVE in dev", () => {
      assert.deepEqual(configProblems(multi()), []);
      const r = multi();
      delete r.istio.oneMesh;
      r.istio.mtlsMode = "PERMISSIVE";
      r.environment = "dev";
      r.platformNetworkPolicies = true;
      assert.deepEqual(configProblems(r), []);
    });

    it("refuses istio.oneMesh with Globalnet (no east-west gateway) and with a single cluster", () => {
      const g = multi();
      g.submariner.globalnet = true;
      assert.match(
        configProblems(g).join("\n"),
        /platform\.istio\.oneMesh: needs one network \(submariner\.globalnet: false/,
      );
      const one = structuredClone(readRawPlatformConfig(stackFile("prod"))) as Raw;
      one.istio.oneMesh = true;
      assert.match(
        configProblems(one).join("\n"),
        /platform\.istio\.oneMesh: has no effect with one cluster/,
      );
    });

    it("requires the secret k8s-netplat:meshRootCa with istio.oneMesh, and checks it is a CA with its key", () => {
      const p = parsePlatformConfig(multi());
      const missing = stackSecretProblems(p, {
        grafanaAdminPassword: "pw",
        kialiSigningKey: PLACEHOLDER_SECRETS.kialiSigningKey,
      });
      assert.equal(missing.errors.length, 1);
      assert.match(
        missing.errors[0],
        /the secret k8s-netplat:meshRootCa is required with istio\.oneMesh .*pulumi config set --secret meshRootCa/,
      );
      const certOnly = PLACEHOLDER_SECRETS.meshRootCa.replace(/-----BEGIN PRIVATE KEY-----[\s\S]*$/, "");
      const bad = stackSecretProblems(p, {
        grafanaAdminPassword: "pw",
        kialiSigningKey: PLACEHOLDER_SECRETS.kialiSigningKey,
        meshRootCa: certOnly,
      });
      assert.match(bad.errors.join("\n"), /meshRootCa: expected one CERTIFICATE and one PRIVATE KEY/);
      const ok = stackSecretProblems(p, {
        grafanaAdminPassword: "pw",
        kialiSigningKey: PLACEHOLDER_SECRETS.kialiSigningKey,
        meshRootCa: PLACEHOLDER_SECRETS.meshRootCa,
      });
      assert.deepEqual(ok.errors, []);
    });
  });

  describe("the name a caller dials: the callee's Service in the caller's cluster", () => {
    /** Without one mesh: PERMISSIVE in dev, where cross-cluster edges are accepted. */
    const withoutOneMesh = (r: Raw): Raw => {
      delete r.istio.oneMesh;
      r.istio.mtlsMode = "PERMISSIVE";
      r.environment = "dev";
      r.platformNetworkPolicies = true;
      return r;
    };
    const services = (objects: K8sObject[]) =>
      objects
        .filter((o) => o.kind === "Service")
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
    const workloads = (objects: K8sObject[]) =>
      objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind)).map((o) => o.metadata.name);
    const service = (objects: K8sObject[], name: string) =>
      objects.find((o) => o.kind === "Service" && o.metadata.name === name);

    it("us-east-1 gets the Services of inventory and payment (called from there, run in us-west-2), and no workload of them", () => {
      const { plan: p, objects } = plan(multi(), "us-east-1");
      assert.deepEqual(
        p.shop.meshServices.map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
        ["shop/inventory", "shop/payment"],
      );
      // Every Service of the cluster: its own services' (events with its headless one) and the two callees'.
      assert.deepEqual(services(objects), [
        "shop/events",
        "shop/events-headless",
        "shop/frontend",
        "shop/inventory",
        "shop/orders",
        "shop/payment",
      ]);
      assert.deepEqual(workloads(objects).sort(), ["events", "frontend", "orders"]);
      for (const name of ["inventory", "payment"]) {
        assert.equal(service(objects, name)?.metadata.annotations?.[RUNS_ON_ANNOTATION], "us-west-2");
      }
    });

    it("the callee's Service there is the one in the cluster that runs it: name, namespace, ports, selector, labels", () => {
      const east = plan(multi(), "us-east-1").objects;
      const west = plan(multi(), "us-west-2").objects;
      for (const name of ["inventory", "payment"]) {
        const mirror = service(east, name)!;
        const own = service(west, name)!;
        assert.ok(own, `${name}'s own Service in us-west-2`);
        assert.equal(mirror.metadata.namespace, own.metadata.namespace);
        assert.deepEqual(mirror.spec, own.spec);
        assert.deepEqual(mirror.metadata.labels, own.metadata.labels);
        assert.equal(own.metadata.annotations, undefined, "the workload's own Service is not marked remote");
      }
      assert.deepEqual((service(east, "inventory")!.spec as { ports: unknown[] }).ports, [
        { name: "http", port: 9090, targetPort: "http", protocol: "TCP" },
      ]);
      assert.deepEqual((service(east, "payment")!.spec as { selector: unknown }).selector, {
        "app.kubernetes.io/name": "payment",
      });
    });

    it("us-west-2 calls nothing in us-east-1, so it gets no such Service; with inventory -> frontend:80 it gets frontend's (Service port 80, pod port by name)", () => {
      assert.deepEqual(plan(multi(), "us-west-2").plan.shop.meshServices, []);
      const { plan: p } = plan(withCrossClusterTargetPort(multi()), "us-west-2");
      assert.deepEqual(
        p.shop.meshServices.map((o) => o.metadata.name),
        ["frontend"],
      );
      assert.deepEqual((p.shop.meshServices[0].spec as { ports: unknown[] }).ports, [
        { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
      ]);
      assert.equal(p.shop.meshServices[0].metadata.annotations?.[RUNS_ON_ANNOTATION], "us-east-1");
    });

    it("only the remote services called from the cluster: without orders -> payment, us-east-1 gets inventory's Service alone", () => {
      const r = multi();
      r.app.edges = SHOP_APP.edges.filter((e) => e !== "orders -> payment:8080");
      const { plan: p, objects } = plan(r, "us-east-1");
      assert.deepEqual(
        p.shop.meshServices.map((o) => o.metadata.name),
        ["inventory"],
      );
      assert.equal(service(objects, "payment"), undefined);
    });

    it("a callee in a namespace nothing on the caller's cluster runs in: the namespace is created there with sidecar injection and a default-deny", () => {
      const r = multi();
      r.app.services = { payment: { namespace: "shop-payments" } };
      const { plan: p, objects, intent } = plan(r, "us-east-1");
      const ns = p.shop.namespaces.find((n) => n.metadata.name === "shop-payments");
      assert.ok(ns, p.shop.namespaces.map((n) => n.metadata.name).join(", "));
      const shop = p.shop.namespaces.find((n) => n.metadata.name === "shop")!;
      assert.deepEqual(ns.metadata.labels, shop.metadata.labels, "labelled like the app's other namespaces");
      assert.ok(ns.metadata.labels?.["istio.io/rev"], "sidecar injection");
      assert.equal(service(objects, "payment")?.metadata.namespace, "shop-payments");
      const deny = objects.find(
        (o) =>
          o.kind === "NetworkPolicy" &&
          o.metadata.namespace === "shop-payments" &&
          o.metadata.name === "default-deny",
      );
      assert.deepEqual(deny?.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      assert.deepEqual(workloads(objects).sort(), ["events", "frontend", "orders"]);
      assert.deepEqual(
        checkIntent(objects, intent),
        [],
        "the compiled policies still admit exactly the intent",
      );
    });

    it("the routing of a remote callee (app.traffic: versions, weights, timeout) is written in the caller's cluster too, and only under one mesh", () => {
      const withTraffic = (r: Raw): Raw => {
        r.app.traffic = {
          inventory: {
            versions: { v1: {}, v2: { image: "ghcr.io/example/inventory:3.1.0" } },
            weights: { v1: 90, v2: 10 },
            timeout: "2s",
          },
        };
        return r;
      };
      const routing = (objects: K8sObject[]) =>
        objects
          // The app's routing (payment's egress routing in istio-egress is another matter).
          .filter(
            (o) => ["VirtualService", "DestinationRule"].includes(o.kind) && o.metadata.namespace === "shop",
          )
          .map((o) => ({ id: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec }));
      const east = routing(plan(withTraffic(multi()), "us-east-1").objects);
      const west = routing(plan(withTraffic(multi()), "us-west-2").objects);
      assert.deepEqual(
        east.map((x) => x.id),
        ["DestinationRule shop/inventory", "VirtualService shop/inventory"],
      );
      assert.deepEqual(east, west, "the same routing in both clusters");
      const vs = east[1].spec as { hosts: string[] };
      assert.deepEqual(vs.hosts, ["inventory.shop.svc.cluster.local"]);
      // The version Deployments run only where inventory runs.
      assert.ok(
        !plan(withTraffic(multi()), "us-east-1").objects.some(
          (o) => o.kind === "Deployment" && o.metadata.name.startsWith("inventory"),
        ),
      );
      // Without one mesh the config refuses it: no sidecar in us-east-1 would apply it.
      assert.match(
        configProblems(withoutOneMesh(withTraffic(multi()))).join("\n"),
        /app\.traffic\.inventory: inventory is called across clusters by frontend, orders/,
      );
    });

    it("without one mesh none: callers dial the exported Service's clusterset.local name", () => {
      const r = withoutOneMesh(multi());
      const { plan: p, objects } = plan(r, "us-east-1");
      assert.deepEqual(p.shop.meshServices, []);
      assert.equal(service(objects, "inventory"), undefined);
      assert.equal(service(objects, "payment"), undefined);
      const platform = parsePlatformConfig(r);
      const names = dialNames(platform, resolveApp(platform.app.spec), "us-east-1");
      assert.equal(names.inventory, "inventory.shop.svc.clusterset.local");
      assert.equal(names.orders, "orders.shop.svc.cluster.local");
    });

    it("dialNames: under one mesh every service a cluster's services call is dialled by its cluster.local name", () => {
      const platform = parsePlatformConfig(multi());
      const app = resolveApp(platform.app.spec);
      assert.deepEqual(dialNames(platform, app, "us-east-1"), {
        events: "events.shop.svc.cluster.local",
        inventory: "inventory.shop.svc.cluster.local",
        orders: "orders.shop.svc.cluster.local",
        payment: "payment.shop.svc.cluster.local",
      });
      // us-west-2's services call only the external SaaS.
      assert.deepEqual(dialNames(platform, app, "us-west-2"), {});
    });
  });

  describe("policies", () => {
    it("the caller's egress names the remote pod range on the pod port, not the service range and Service port", () => {
      const { objects } = plan(withCrossClusterTargetPort(multi()), "us-west-2");
      // Policies are named by the declared (Service) port.
      const egress = spec(objects, "allow-inventory-to-frontend-tcp-80-egress");
      assert.ok(egress, "an egress policy for inventory -> frontend");
      assert.deepEqual(egress.egress?.[0].to, [{ ipBlock: { cidr: "10.10.0.0/16" } }]);
      assert.deepEqual(egress.egress?.[0].ports, [{ protocol: "TCP", port: 8080 }]);
    });

    it("without one mesh (PERMISSIVE, dev) the caller still dials the remote Service range on the Service port", () => {
      const r = withCrossClusterTargetPort(multi());
      delete r.istio.oneMesh;
      r.istio.mtlsMode = "PERMISSIVE";
      r.environment = "dev";
      r.platformNetworkPolicies = true;
      const { objects } = plan(r, "us-west-2");
      const egress = objects.find(
        (o) => o.kind === "NetworkPolicy" && /^allow-inventory-to-frontend-.*-egress$/.test(o.metadata.name),
      )?.spec as { egress: Array<{ to: unknown[]; ports: unknown[] }> };
      assert.deepEqual(egress.egress[0].to, [{ ipBlock: { cidr: "10.110.0.0/16" } }]);
      assert.deepEqual(egress.egress[0].ports, [{ protocol: "TCP", port: 80 }]);
    });

    it("the callee admits the remote pod range on the pod port", () => {
      const { objects } = plan(withCrossClusterTargetPort(multi()), "us-east-1");
      const ingress = objects.find(
        (o) => o.kind === "NetworkPolicy" && /^allow-inventory-to-frontend-.*-ingress$/.test(o.metadata.name),
      )?.spec as { ingress: Array<{ from: unknown[]; ports: unknown[] }> };
      assert.deepEqual(ingress.ingress[0].from, [{ ipBlock: { cidr: "10.20.0.0/16" } }]);
      assert.deepEqual(ingress.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
    });

    it("istiod reaches the other cluster's API server (its apiServerCidr and port), and only with one mesh", () => {
      const east = plan(multi(), "us-east-1");
      const toWest = east.plan.platformPolicies.find(
        (o) => o.metadata.name === "allow-istiod-to-kube-apiserver-us-west-2-egress",
      )?.spec as { egress: Array<{ to: unknown[]; ports: unknown[] }> } | undefined;
      assert.ok(
        toWest,
        east.plan.platformPolicies
          .map((o) => o.metadata.name)
          .filter((n) => /istiod/.test(n))
          .join(", "),
      );
      assert.deepEqual(toWest.egress[0].to, [{ ipBlock: { cidr: "10.1.0.0/28" } }]);
      assert.deepEqual(toWest.egress[0].ports, [{ protocol: "TCP", port: 6443 }]);
      const west = plan(multi(), "us-west-2");
      assert.ok(
        west.plan.platformPolicies.some(
          (o) => o.metadata.name === "allow-istiod-to-kube-apiserver-us-east-1-egress",
        ),
      );
      const r = multi();
      delete r.istio.oneMesh;
      r.istio.mtlsMode = "PERMISSIVE";
      r.environment = "dev";
      r.platformNetworkPolicies = true;
      assert.ok(
        !plan(r, "us-east-1").plan.platformPolicies.some((o) =>
          /kube-apiserver-us-west-2/.test(o.metadata.name),
        ),
      );
    });

    for (const cluster of ["us-east-1", "us-west-2"]) {
      it(`${cluster}: the compiled policies admit exactly the intent, cross-cluster edges included`, () => {
        const { objects, intent } = plan(withCrossClusterTargetPort(multi()), cluster);
        const remote = Object.entries(intent.peers).filter(([id]) => id.includes("@remote-"));
        assert.ok(remote.length > 0, "the intent names the remote peers");
        assert.deepEqual(checkIntent(objects, intent), []);
      });
    }
  });
});
