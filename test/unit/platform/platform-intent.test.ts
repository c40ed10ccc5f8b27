/**
 * Zero trust for the platform namespaces (lib/platform-intent.ts): the config it needs,
 * what it compiles, and that the compiled policies admit exactly the declared flows, as
 * the reachability analyser (the engine of `reachability-matches-intent`) sees them.
 */
import { strict as assert } from "assert";
import { parsePlatformConfig } from "../../../lib/config";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { K8sObject } from "../../../lib/k8s-object";
import { ACME_EGRESS_POLICY, complementCidrs } from "../../../lib/platform-intent";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { checkIntent } from "../../../policy-pack/reachability/check-intent";
import { parseIntentDocument, type IntentDocument } from "@k8s-netplat/contract";
import { configProblems } from "../../support/config-problems";

type Raw = Record<string, unknown> & { clusters: Array<Record<string, unknown>> };
const raw = (stack: string) => structuredClone(readRawPlatformConfig(stackFile(stack))) as Raw;

const problems = configProblems;

function plans(r: Raw) {
  const platform = parsePlatformConfig(r);
  const app = resolveApp(platform.app.spec);
  return platform.clusters.map((c) => {
    const plan = planCluster(platform, app, c.name);
    const intent = parseIntentDocument(
      String((plan.shop.intent.data as Record<string, string>)["intent.json"]),
    );
    return { cluster: c.name, plan, objects: clusterPlanObjects(plan), intent };
  });
}

const id = (o: K8sObject) => `${o.metadata.namespace}/${o.metadata.name}`;

describe("zero-trust platform namespaces (lib/platform-intent.ts)", function () {
  this.timeout(120_000);
  describe("config", () => {
    it("prod refuses a cluster without apiServerCidr, naming the key and an example", () => {
      const r = raw("prod");
      delete r.clusters[0].apiServerCidr;
      const p = problems(r);
      assert.equal(p.length, 1, p.join("\n"));
      assert.match(
        p[0],
        /^platform\.clusters\[0\]\.apiServerCidr: required when the platform namespaces get zero-trust/,
      );
      assert.match(p[0], /e\.g\. the control plane's subnet/);
    });

    it("refuses a missing nodeCidr only while Prometheus scrapes the nodes", () => {
      const r = raw("multi-cluster");
      delete r.clusters[1].nodeCidr;
      assert.deepEqual(
        problems(r).map((x) => x.split(":")[0]),
        ["platform.clusters[1].nodeCidr"],
      );
      (r.observability as Record<string, unknown>).prometheus = false;
      delete r.clusters[0].nodeCidr;
      assert.deepEqual(problems(r), []);
    });

    it("is off in dev by default, and platformNetworkPolicies: true asks dev for the ranges", () => {
      assert.deepEqual(
        plans(raw("dev")).flatMap((p) => p.plan.platformPolicies),
        [],
        "dev compiles no platform policies",
      );
      const r = raw("dev");
      r.platformNetworkPolicies = true;
      assert.deepEqual(
        problems(r).map((x) => x.split(":")[0]),
        ["platform.clusters[0].apiServerCidr"],
      );
      r.clusters[0].apiServerCidr = "172.18.0.0/28";
      const [dev] = plans(r);
      assert.ok(
        dev.plan.platformPolicies.some((o) => id(o) === "cert-manager/default-deny"),
        "dev with the key on: cert-manager gets its default-deny",
      );
      assert.deepEqual(checkIntent(dev.objects, dev.intent), []);
    });

    it("refuses the ranges where they have no effect (policies off, nodeCidr without Prometheus)", () => {
      const r = raw("dev");
      r.clusters[0].apiServerCidr = "172.18.0.0/28";
      assert.deepEqual(problems(r), [
        "platform.clusters[0].apiServerCidr: has no effect without the platform namespaces' zero-trust policies; " +
          "remove it or set platform.platformNetworkPolicies: true",
      ]);
      const p = raw("prod");
      (p.observability as Record<string, unknown>).prometheus = false;
      assert.deepEqual(
        problems(p).map((x) => x.split(":")[0]),
        ["platform.clusters[0].nodeCidr"],
      );
    });

    it("prod with platformNetworkPolicies: false compiles none and needs no ranges", () => {
      const r = raw("prod");
      r.platformNetworkPolicies = false;
      delete r.clusters[0].apiServerCidr;
      delete r.clusters[0].nodeCidr;
      assert.deepEqual(problems(r), []);
      assert.deepEqual(plans(r)[0].plan.platformPolicies, []);
    });

    for (const [name, patch] of [
      ["Istio's ingress gateway", (r: Raw) => ((r.istio as Record<string, unknown>).ingressGateway = true)],
      ["gateway-api", (r: Raw) => ((r.ingress as Record<string, unknown>).controller = "gateway-api")],
      ["ingress-nginx", (r: Raw) => ((r.ingress as Record<string, unknown>).controller = "ingress-nginx")],
    ] as const) {
      it(`prod with ${name}: its namespace is zero-trust too, and the policies match the intent`, () => {
        const r = raw("prod");
        patch(r);
        const [p] = plans(r);
        const ns = name === "Istio's ingress gateway" ? "istio-ingress" : p.plan.policy.ingress.namespace;
        assert.ok(p.intent.appNamespaces.includes(ns), `${ns} governed`);
        assert.ok(p.plan.platformPolicies.some((o) => id(o) === `${ns}/default-deny`));
        const fromInternet = p.intent.edges
          .filter((e) => e.from === "internet")
          .map((e) => `${e.to}:${e.port}`);
        assert.ok(
          fromInternet.some((e) => e.endsWith(":443")),
          fromInternet.join(", "),
        );
        assert.deepEqual(checkIntent(p.objects, p.intent), []);
      });
    }
  });

  describe("compiled policies", () => {
    for (const stack of ["prod", "multi-cluster"]) {
      for (const { cluster, plan, objects, intent } of plans(raw(stack))) {
        const governed = intent.appNamespaces;

        it(`${stack}/${cluster}: every platform namespace is default-deny and governed by the intent document`, () => {
          for (const ns of ["cert-manager", "istio-system", "monitoring", "nginx-ingress"]) {
            assert.ok(governed.includes(ns), `${ns} in appNamespaces`);
            const deny = plan.platformPolicies.find((o) => id(o) === `${ns}/default-deny`);
            assert.deepEqual(deny?.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
          }
          // The ConfigMap stays in the first app namespace.
          assert.equal(plan.shop.intent.metadata.namespace, governed[0]);
          assert.ok(!["cert-manager", "istio-system", "monitoring", "nginx-ingress"].includes(governed[0]));
        });

        it(`${stack}/${cluster}: the policies admit exactly the intent (no finding)`, () => {
          assert.deepEqual(checkIntent(objects, intent), []);
        });

        it(`${stack}/${cluster}: each platform allowance is needed: without it a declared flow is blocked`, () => {
          // A peer's flows to itself (Prometheus replicas scraping each other) are for
          // replicas: the analysis pairs distinct workloads only, so they are not tried here.
          const selfFlow = /^allow-(.+)-to-\1-(egress|ingress)$/;
          const allows = plan.platformPolicies.filter(
            (o) => o.metadata.name !== "default-deny" && !selfFlow.test(o.metadata.name),
          );
          assert.ok(allows.length > 40, `${allows.length} allowances`);
          const unneeded: string[] = [];
          for (const np of allows) {
            const findings = checkIntent(
              objects.filter((o) => o !== np),
              intent,
            );
            if (!findings.some((f) => f.kind === "blocked")) unneeded.push(id(np));
          }
          assert.deepEqual(unneeded, []);
        });

        it(`${stack}/${cluster}: anything more admitted in a platform namespace is reported as unintended`, () => {
          const platformNs = [...new Set(plan.platformPolicies.map((o) => String(o.metadata.namespace)))];
          for (const ns of platformNs) {
            const open: K8sObject = {
              apiVersion: "networking.k8s.io/v1",
              kind: "NetworkPolicy",
              metadata: { name: "extra-open", namespace: ns },
              spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
            };
            const findings = checkIntent([...objects, open], intent);
            const extra = findings.filter((f) => f.kind === "unintended" && /extra-open/.test(f.allowedBy));
            assert.ok(extra.length > 0, `${ns}: an allow-all is noticed`);
          }
        });
      }
    }

    it("ACME egress reaches the public internet only: never private, cluster or metadata ranges", () => {
      const [{ plan, intent }] = plans(raw("prod"));
      const np = plan.platformPolicies.find((o) => id(o) === `cert-manager/${ACME_EGRESS_POLICY}`);
      assert.ok(np, "the ACME egress policy");
      const spec = np.spec as {
        podSelector: unknown;
        egress: Array<{ to: Array<{ ipBlock: { cidr: string; except: string[] } }>; ports: unknown }>;
      };
      assert.deepEqual(spec.podSelector, {
        matchLabels: {
          "app.kubernetes.io/name": "cert-manager",
          "app.kubernetes.io/component": "controller",
        },
      });
      assert.deepEqual(spec.egress[0].ports, [
        { protocol: "TCP", port: 443 },
        { protocol: "TCP", port: 80 },
      ]);
      const except = spec.egress[0].to[0].ipBlock.except;
      for (const c of ["10.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "10.42.0.0/16"]) {
        assert.ok(except.includes(c), `excepts ${c}`);
      }
      const peer = (intent as IntentDocument).peers["acme-servers"];
      assert.ok(peer.kind === "external" && !peer.cidrs.some((c) => c.startsWith("10.")));
    });

    it("complementCidrs covers exactly the space outside the holes", () => {
      assert.deepEqual(complementCidrs(["0.0.0.0/1"]), ["128.0.0.0/1"]);
      assert.deepEqual(complementCidrs(["10.0.0.0/8", "0.0.0.0/8"]), [
        "1.0.0.0/8",
        "2.0.0.0/7",
        "4.0.0.0/6",
        "8.0.0.0/7",
        "11.0.0.0/8",
        "12.0.0.0/6",
        "16.0.0.0/4",
        "32.0.0.0/3",
        "64.0.0.0/2",
        "128.0.0.0/1",
      ]);
      assert.deepEqual(complementCidrs([]), ["0.0.0.0/0"]);
    });
  });
});
