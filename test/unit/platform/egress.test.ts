/**
 * Egress by name (lib/egress-config.ts, lib/addons/istio-egress.ts, the intent compilers):
 * the config keys and what they refuse, istiod's outboundTrafficPolicy, the egress gateway's
 * values and routing, and the NetworkPolicies that send the app's SaaS calls through it,
 * held against the intent by the reachability analyser.
 */
import { strict as assert } from "assert";
import { parsePlatformConfig } from "../../../lib/config";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { K8sObject } from "../../../lib/k8s-object";
import { istiodValues } from "../../../lib/addons/istio";
import {
  EGRESS_GATEWAY_POD_LABELS,
  ISTIO_EGRESS_NAMESPACE,
  egressAccessLogging,
  egressRouting,
  istioEgressGatewayValues,
} from "../../../lib/addons/istio-egress";
import { egressGatewayLiveness, rewriteChartObject } from "../../../lib/chart-rewrites";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { checkIntent } from "../../../policy-pack/reachability/check-intent";
import { parseIntentDocument } from "@k8s-netplat/contract";
import { Istio } from "../../../components/istio";
import { configProblems } from "../../support/config-problems";
import { platform, underMocks, validateSchema } from "./addons/fixtures";

type Raw = Record<string, unknown> & {
  istio?: Record<string, unknown>;
  app: Record<string, unknown>;
  clusters: Array<Record<string, unknown>>;
};
type Dict = Record<string, never>;
const raw = (stack: string) => structuredClone(readRawPlatformConfig(stackFile(stack))) as Raw;

function plans(r: Raw) {
  const p = parsePlatformConfig(r);
  const app = resolveApp(p.app.spec);
  return p.clusters.map((c) => {
    const plan = planCluster(p, app, c.name);
    const intent = parseIntentDocument(
      String((plan.shop.intent.data as Record<string, string>)["intent.json"]),
    );
    return { cluster: c.name, plan, objects: clusterPlanObjects(plan), intent };
  });
}

const named = (objs: K8sObject[], kind: string, ns: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
const egressRules = (np: K8sObject | undefined) =>
  (np?.spec as { egress: Array<{ to: Array<Record<string, unknown>>; ports: unknown[] }> }).egress;
const PAYMENT_EGRESS = "allow-payment-to-payment-gateway-tcp-443-egress";

describe("egress by name", function () {
  this.timeout(120_000);

  describe("config", () => {
    it("defaults: prod REGISTRY_ONLY with an egress gateway, dev ALLOW_ANY without", () => {
      const prod = parsePlatformConfig(raw("prod"));
      const dev = parsePlatformConfig(raw("dev"));
      const mode = (p: typeof prod) =>
        ((istiodValues(p.clusters[0], p).meshConfig as Dict)["outboundTrafficPolicy"] as Dict)["mode"];
      assert.equal(mode(prod), "REGISTRY_ONLY");
      assert.equal(mode(dev), "ALLOW_ANY");
      assert.equal(egressRouting(dev, dev.app.spec.externals).length, 0, "dev names no external host");
    });

    it("refuses an unknown outboundTrafficPolicy, naming the key and the accepted values", () => {
      const r = raw("dev");
      r.istio!.outboundTrafficPolicy = "DENY_ALL";
      const p = configProblems(r);
      assert.equal(p.length, 1, p.join("\n"));
      assert.match(p[0], /^platform\.istio\.outboundTrafficPolicy: /);
      assert.match(p[0], /REGISTRY_ONLY/);
      assert.match(p[0], /ALLOW_ANY/);
    });

    it("prod refuses ALLOW_ANY", () => {
      const r = raw("prod");
      r.istio!.outboundTrafficPolicy = "ALLOW_ANY";
      assert.deepEqual(
        configProblems(r).map((x) => x.split(":")[0]),
        ["platform.istio.outboundTrafficPolicy"],
      );
      assert.match(configProblems(r)[0], /prod accepts only REGISTRY_ONLY \(got ALLOW_ANY\)/);
    });

    it("refuses egressGateway: true and outboundTrafficPolicy with Istio off; false is accepted", () => {
      const r = raw("dev");
      r.istio = { enabled: false, egressGateway: true, outboundTrafficPolicy: "REGISTRY_ONLY" };
      r.app.traffic = undefined;
      const p = configProblems(r);
      assert.deepEqual(
        p.map((x) => x.split(":")[0]),
        ["platform.istio.egressGateway", "platform.istio.outboundTrafficPolicy"],
      );
      assert.match(p[0], /has no effect with istio\.enabled: false/);
      r.istio = { enabled: false, egressGateway: false };
      assert.deepEqual(configProblems(r), []);
    });

    it("refuses an external host the mesh cannot name (an IP address) while it names hosts", () => {
      const r = raw("prod");
      r.app.externalHosts = { "payment-gateway": "203.0.113.10" };
      const p = configProblems(r);
      assert.equal(p.length, 1, p.join("\n"));
      assert.match(
        p[0],
        /^platform\.app\.externalHosts\.payment-gateway: "203\.0\.113\.10" is not a host name, and the egress gateway routes it by TLS SNI/,
      );
      // REGISTRY_ONLY without the gateway needs a name too.
      r.istio!.egressGateway = false;
      assert.match(configProblems(r)[0], /admits only hosts its registry names/);
      // Without a mesh the host is only the ExternalName alias: accepted.
      const d = raw("dev");
      d.app.externalHosts = { "payment-gateway": "203.0.113.10" };
      assert.deepEqual(configProblems(d), []);
    });

    it("refuses externalHosts of an unknown external and takes the host of a known one", () => {
      const r = raw("prod");
      r.app.externalHosts = { "card-vault": "vault.example.com" };
      assert.match(configProblems(r)[0], /^platform\.app\.externalHosts\.card-vault: no such external/);
      r.app.externalHosts = { "payment-gateway": "api.payments.example.com" };
      const [p] = plans(r);
      const se = named(p.objects, "ServiceEntry", ISTIO_EGRESS_NAMESPACE, "payment-gateway");
      assert.deepEqual((se?.spec as { hosts: string[] }).hosts, ["api.payments.example.com"]);
    });
  });

  describe("the egress gateway", () => {
    it("is a ClusterIP gateway at our revision, restricted, with a readiness probe", () => {
      const v = istioEgressGatewayValues(platform({ istio: { egressGateway: true } })) as Dict;
      assert.equal(v["name"], "istio-egressgateway");
      assert.equal(v["revision"], "1-27");
      assert.deepEqual(v["service"], { type: "ClusterIP" });
      assert.deepEqual(v["securityContext"]["seccompProfile"], { type: "RuntimeDefault" });
      assert.equal(v["securityContext"]["runAsNonRoot"], true);
      const c = v["containerSecurityContext"] as Dict;
      assert.deepEqual(c["capabilities"], { drop: ["ALL"] });
      assert.equal(c["allowPrivilegeEscalation"], false);
      assert.equal(c["readOnlyRootFilesystem"], true);
      assert.equal(v["readinessProbe"]["httpGet"]["port"], 15021);
      assert.equal(v["autoscaling"], undefined, "dev: the chart's defaults");
    });

    it("runs two replicas at least and a PodDisruptionBudget in prod", () => {
      const p = parsePlatformConfig(raw("prod"));
      const v = istioEgressGatewayValues(p) as Dict;
      assert.equal(v["autoscaling"]["minReplicas"], 2);
      assert.deepEqual(v["podDisruptionBudget"], { maxUnavailable: 1 });
    });

    it("gets a liveness probe on its proxy by rewrite; the ingress gateway's Deployment is left alone", () => {
      const deployment = (name: string) => ({
        metadata: { name, namespace: "x" },
        spec: { template: { spec: { containers: [{ name: "istio-proxy", image: "auto" }] } } },
      });
      const out = rewriteChartObject(
        "istioGateway",
        "kubernetes:apps/v1:Deployment",
        deployment("istio-egressgateway"),
      ) as { spec: { template: { spec: { containers: Array<Record<string, Dict>> } } } };
      assert.equal(out.spec.template.spec.containers[0].livenessProbe["httpGet"]["path"], "/healthz/ready");
      assert.equal(
        egressGatewayLiveness("kubernetes:apps/v1:Deployment", deployment("istio-ingressgateway")),
        undefined,
      );
    });

    it("logs every request through it (Telemetry on its pods), valid against Istio's schema", async () => {
      const t = egressAccessLogging();
      assert.equal(t.metadata.namespace, ISTIO_EGRESS_NAMESPACE);
      assert.deepEqual(t.spec, {
        selector: { matchLabels: EGRESS_GATEWAY_POD_LABELS },
        accessLogging: [{ providers: [{ name: "envoy" }] }],
      });
      await validateSchema(t);
    });

    it("is installed in istio-egress after istiod, with its namespace injected by our revision", async () => {
      const p = platform({ istio: { egressGateway: true } });
      const regs = await underMocks(() => new Istio("dev-istio", { cluster: p.clusters[0], platform: p }));
      const get = (n: string) => regs.find((r) => r.name === n);
      const chart = get("dev-istio-egress-gateway");
      assert.ok(chart, regs.map((r) => r.name).join(", "));
      assert.equal(chart.inputs.namespace, ISTIO_EGRESS_NAMESPACE);
      assert.ok(chart.dependencies.some((d) => d.endsWith("::dev-istio-istiod")));
      assert.ok(chart.dependencies.some((d) => d.endsWith("::dev-istio-egress-ns")));
      const ns = get("dev-istio-egress-ns")!;
      assert.deepEqual((ns.inputs.metadata as { labels: unknown }).labels, { "istio.io/rev": "1-27" });
      const tel = regs.find((r) => r.type === "kubernetes:telemetry.istio.io/v1:Telemetry");
      assert.ok(tel, "the Telemetry resource");
      const none = await underMocks(() => {
        const d = platform();
        new Istio("dev-istio", { cluster: d.clusters[0], platform: d });
      });
      assert.equal(
        none.find((r) => r.name === "dev-istio-egress-gateway"),
        undefined,
        "dev: no egress gateway unless asked",
      );
    });
  });

  describe("routing by SNI", () => {
    const [prod] = plans(raw("prod"));
    const egress = prod.plan.shop.egress ?? [];

    it("names the SaaS host with a ServiceEntry (TLS, DNS, outside the mesh)", () => {
      const se = named(egress, "ServiceEntry", ISTIO_EGRESS_NAMESPACE, "payment-gateway");
      assert.deepEqual(se?.spec, {
        hosts: ["payments.acme.com"],
        location: "MESH_EXTERNAL",
        ports: [{ number: 443, name: "tls-443", protocol: "TLS" }],
        resolution: "DNS",
      });
    });

    it("sends sidecars to the gateway in mTLS with the host as SNI, and the gateway to the host", () => {
      const gw = named(egress, "Gateway", ISTIO_EGRESS_NAMESPACE, "egress-gateway")?.spec as Dict;
      assert.deepEqual(gw["selector"], { istio: "egressgateway" });
      assert.deepEqual(gw["servers"][0]["tls"], { mode: "ISTIO_MUTUAL" });
      assert.deepEqual(gw["servers"][0]["hosts"], ["payments.acme.com"]);
      const dr = named(
        egress,
        "DestinationRule",
        ISTIO_EGRESS_NAMESPACE,
        "egress-gateway-for-payment-gateway",
      )?.spec as Dict;
      assert.equal(dr["host"], "istio-egressgateway.istio-egress.svc.cluster.local");
      assert.deepEqual(dr["subsets"][0]["trafficPolicy"]["portLevelSettings"][0]["tls"], {
        mode: "ISTIO_MUTUAL",
        sni: "payments.acme.com",
      });
      const vs = named(
        egress,
        "VirtualService",
        ISTIO_EGRESS_NAMESPACE,
        "payment-gateway-through-egress-gateway",
      )?.spec as Dict;
      const [fromMesh, fromGateway] = vs["tls"] as Array<Dict>;
      assert.deepEqual(fromMesh["match"][0]["gateways"], ["mesh"]);
      assert.deepEqual(fromMesh["match"][0]["sniHosts"], ["payments.acme.com"]);
      assert.equal(
        fromMesh["route"][0]["destination"]["host"],
        "istio-egressgateway.istio-egress.svc.cluster.local",
      );
      assert.equal(fromMesh["route"][0]["destination"]["subset"], "payment-gateway");
      assert.deepEqual(fromGateway["match"][0]["gateways"], ["istio-egress/egress-gateway"]);
      assert.deepEqual(fromGateway["route"][0]["destination"], {
        host: "payments.acme.com",
        port: { number: 443 },
      });
    });

    it("lets only payment's identity through the gateway, and only to the SaaS host (SNI)", () => {
      const ap = named(egress, "AuthorizationPolicy", ISTIO_EGRESS_NAMESPACE, "allow-app-callers");
      assert.deepEqual(ap?.spec, {
        selector: { matchLabels: EGRESS_GATEWAY_POD_LABELS },
        action: "ALLOW",
        rules: [
          {
            from: [{ source: { principals: ["cluster.local/ns/shop-payments/sa/payment"] } }],
            to: [{ operation: { ports: ["443"] } }],
            when: [{ key: "connection.sni", values: ["payments.acme.com"] }],
          },
        ],
      });
    });

    it("every routing object is valid against Istio's schema", async () => {
      assert.equal(egress.length, 5);
      for (const o of egress) await validateSchema(o);
    });

    it("REGISTRY_ONLY without the gateway: the ServiceEntry alone", () => {
      const r = raw("prod");
      r.istio!.egressGateway = false;
      const [p] = plans(r);
      assert.deepEqual(
        (p.plan.shop.egress ?? []).map((o) => o.kind),
        ["ServiceEntry"],
      );
    });

    it("multi-cluster: routing only where a caller runs (us-west-2, payment)", () => {
      const [east, west] = plans(raw("multi-cluster"));
      assert.deepEqual(east.plan.shop.egress, []);
      assert.equal(west.plan.shop.egress?.length, 5);
    });
  });

  describe("NetworkPolicies", () => {
    it("prod: payment may reach only the egress gateway on 443, not the SaaS ranges", () => {
      const [p] = plans(raw("prod"));
      const np = named(p.plan.shop.networkPolicies, "NetworkPolicy", "shop-payments", PAYMENT_EGRESS);
      assert.deepEqual(egressRules(np), [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-egress" } },
              podSelector: { matchLabels: EGRESS_GATEWAY_POD_LABELS },
            },
          ],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ]);
      const toRanges = p.plan.shop.networkPolicies.filter((o) =>
        JSON.stringify(o.spec).includes("203.0.113.0/24"),
      );
      assert.deepEqual(toRanges, [], "no app policy names the SaaS ranges");
    });

    it("prod: the egress gateway alone reaches the SaaS ranges, on 443 only", () => {
      const [p] = plans(raw("prod"));
      const gw = p.plan.platformPolicies.filter((o) => o.metadata.namespace === ISTIO_EGRESS_NAMESPACE);
      assert.ok(gw.some((o) => o.metadata.name === "default-deny"));
      const toSaas = gw.filter((o) => JSON.stringify(o.spec).includes("203.0.113.0/24"));
      assert.equal(toSaas.length, 1, toSaas.map((o) => o.metadata.name).join(", "));
      assert.deepEqual(egressRules(toSaas[0]), [
        { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
      ]);
      const from = gw.find((o) => o.metadata.name === "allow-payment-to-istio-egressgateway-ingress");
      assert.ok(from, gw.map((o) => o.metadata.name).join(", "));
    });

    it("without the gateway (dev) or without Istio, payment keeps the ipBlock to the SaaS ranges", () => {
      const [dev] = plans(raw("dev"));
      const np = named(dev.plan.shop.networkPolicies, "NetworkPolicy", "shop", PAYMENT_EGRESS);
      assert.deepEqual(egressRules(np)[0].to, [{ ipBlock: { cidr: "203.0.113.0/24" } }]);
      const r = raw("prod");
      r.istio = { enabled: false };
      const [noMesh] = plans(r);
      const np2 = named(noMesh.plan.shop.networkPolicies, "NetworkPolicy", "shop-payments", PAYMENT_EGRESS);
      assert.deepEqual(egressRules(np2)[0].to, [{ ipBlock: { cidr: "203.0.113.0/24" } }]);
      assert.deepEqual(noMesh.plan.shop.egress, []);
    });

    it("the intent says payment -> gateway -> SaaS, and the policies admit exactly it", () => {
      for (const stack of ["prod", "multi-cluster"]) {
        for (const { cluster, objects, intent } of plans(raw(stack))) {
          assert.deepEqual(checkIntent(objects, intent), [], `${stack}/${cluster}`);
          const edges = intent.edges.map((e) => `${e.from} -> ${e.to}:${e.port}`);
          if (cluster === "us-east-1") continue;
          assert.ok(edges.includes("payment -> istio-egressgateway:443"), edges.join(", "));
          assert.ok(edges.includes("istio-egressgateway -> payment-gateway:443"), edges.join(", "));
          assert.ok(!edges.includes("payment -> payment-gateway:443"));
        }
      }
    });

    it("dev with the gateway asked for: matches the intent with and without platform policies", () => {
      const r = raw("dev");
      r.istio!.egressGateway = true;
      const [off] = plans(r);
      assert.deepEqual(checkIntent(off.objects, off.intent), []);
      r.platformNetworkPolicies = true;
      r.clusters[0].apiServerCidr = "172.18.0.0/28";
      const [on] = plans(r);
      assert.ok(on.intent.appNamespaces.includes(ISTIO_EGRESS_NAMESPACE));
      assert.deepEqual(checkIntent(on.objects, on.intent), []);
    });

    it("an extra route to the SaaS ranges from payment is reported as unintended", () => {
      const [p] = plans(raw("prod"));
      const direct: K8sObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "payment-direct", namespace: "shop-payments" },
        spec: {
          podSelector: { matchLabels: { "app.kubernetes.io/name": "payment" } },
          policyTypes: ["Egress"],
          egress: [
            { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
          ],
        },
      };
      const f = checkIntent([...p.objects, direct], p.intent);
      assert.ok(
        f.some((x) => x.kind === "unintended" && /payment-direct/.test(x.allowedBy)),
        JSON.stringify(f),
      );
    });
  });
});
