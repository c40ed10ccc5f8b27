/** Wiring of the app's components under mocks: parents, and what waits for what. */
import { strict as assert } from "assert";
import { Microservice } from "../../../components/microservice";
import { ShopApp } from "../../../components/shop-app";
import { planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { SHOP_APP } from "../../../lib/default-app";
import { loadStackConfig } from "../../../lib/stack-file";
import { runUnderMocks } from "../../support/program";

const urnOf = (type: string, name: string) => `urn:pulumi:test::k8s-netplat::${type}::${name}`;

describe("Microservice component", () => {
  it("parents the ServiceAccount, Service, Deployment, HPA and PDB it creates", async () => {
    const orders = SHOP_APP.services.find((s) => s.name === "orders")!;
    const { resources } = await runUnderMocks("test", undefined, () => {
      new Microservice("c-orders", {
        service: orders,
        prefix: "c",
        options: {
          namespace: "shop",
          partOf: "shop",
          replicas: 3,
          autoscaling: { minReplicas: 3, maxReplicas: 6, targetCPUUtilization: 70 },
          podDisruptionBudget: true,
        },
      });
    });
    const children = resources.filter((r) => r.type.startsWith("kubernetes:"));
    assert.deepEqual(children.map((r) => r.type).sort(), [
      "kubernetes:apps/v1:Deployment",
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
      "kubernetes:core/v1:Service",
      "kubernetes:core/v1:ServiceAccount",
      "kubernetes:policy/v1:PodDisruptionBudget",
    ]);
    for (const c of children) assert.match(c.parent, /k8s-netplat:app:Microservice::c-orders$/);
  });
});

describe("ShopApp component", () => {
  it("starts no workload before its namespace's default-deny and allow-nothing exist", async () => {
    const platform = loadStackConfig("prod");
    const app = resolveApp(platform.app.spec);
    const plan = planCluster(platform, app, "prod");
    const { resources } = await runUnderMocks("test", undefined, () => {
      new ShopApp("prod-shop", {
        plan: plan.shop,
        prefix: "prod",
        ingress: { objects: plan.ingressObjects, dependsOn: [] },
        exports: { objects: [], dependsOn: [] },
      });
    });
    const services = resources.filter((r) => r.type === "k8s-netplat:app:Microservice");
    assert.equal(services.length, 5);
    for (const s of services) {
      const ns = s.name === "prod-payment" ? "shop-payments" : "shop";
      const deny = urnOf(
        "k8s-netplat:app:ShopApp$kubernetes:networking.k8s.io/v1:NetworkPolicy",
        `prod-${ns}-networkpolicy-default-deny`,
      );
      const nothing = urnOf(
        "k8s-netplat:app:ShopApp$kubernetes:security.istio.io/v1:AuthorizationPolicy",
        `prod-${ns}-authorizationpolicy-allow-nothing`,
      );
      assert.ok(
        s.dependencies.includes(deny),
        `${s.name} waits for ${deny}; has ${s.dependencies.join(", ")}`,
      );
      assert.ok(s.dependencies.includes(nothing), `${s.name} waits for ${nothing}`);
      // ...and only for its own namespace's guards, which keeps the graph linear.
      assert.ok(s.dependencies.length <= 4, `${s.name} has ${s.dependencies.length} dependencies`);
    }
  });
});
