/**
 * One mesh across clusters (istio.oneMesh) as the config and the intent compiler see it:
 * refusal of cross-cluster edges under STRICT without one mesh, NetworkPolicies to the
 * remote pods on the pod port, istiod to the other clusters' API servers, and the
 * reachability check (reachability-matches-intent's engine) agreeing with the intent.
 */
import { strict as assert } from "assert";
import { parsePlatformConfig } from "../../../lib/config";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { K8sObject } from "../../../lib/k8s-object";
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
