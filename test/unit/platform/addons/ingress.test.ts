import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  GATEWAY_NAME,
  GATEWAY_TLS_SECRET,
  appIngress,
  gatewayObjects,
  ingressChart,
  ingressNamespaceLabels,
  ingressPeer,
} from "../../../../lib/addons/ingress";
import { IngressController } from "../../../../components/ingress";
import { K8sObject } from "../../../../lib/k8s-object";
import { platform, underMocks, validateSchema } from "./fixtures";

type Dict = Record<string, never>;
const route = (p = platform()) =>
  appIngress({
    platform: p,
    host: "shop.example.com",
    namespace: "shop",
    service: "frontend",
    port: 80,
    tlsSecretName: "frontend-tls",
    clusterIssuer: "platform-ca",
  });
const annotationsOf = (objs: K8sObject[]) => objs[0].metadata.annotations ?? {};

describe("ingress planning", () => {
  describe("F5 NGINX Ingress Controller (nginx-inc)", () => {
    const p = () => platform({ ingress: { controller: "nginx-inc" } });
    it("installs the nginxIngress chart with class nginx, SSL redirect, HTTP/2 and a fixed ServiceAccount", () => {
      const plan = ingressChart(p())!;
      assert.equal(plan.key, "nginxIngress");
      const c = (plan.values as Dict)["controller"] as Dict;
      assert.equal(c["ingressClass"]["name"], "nginx");
      assert.deepEqual(c["config"]["entries"], { "ssl-redirect": "true", http2: "true" });
      assert.equal(c["serviceAccount"]["name"], "ingress-controller");
      assert.equal(c["service"]["type"], "LoadBalancer");
    });
    it("runs the controller with a sidecar that leaves client traffic alone when the mesh is on", () => {
      const c = (ingressChart(p())!.values as Dict)["controller"] as Dict;
      assert.equal(c["pod"]["extraLabels"]["sidecar.istio.io/inject"], "true");
      assert.equal(c["pod"]["annotations"]["traffic.sidecar.istio.io/includeInboundPorts"], "");
      assert.deepEqual(ingressNamespaceLabels(p()), { "istio.io/rev": "1-27" });
    });
    it("annotates Ingresses with redirect-to-https, the issuer and use-cluster-ip", () => {
      const a = annotationsOf(route(p()));
      assert.equal(a["nginx.org/redirect-to-https"], "true");
      assert.equal(a["ingress.kubernetes.io/ssl-redirect"], "true");
      assert.equal(a["cert-manager.io/cluster-issuer"], "platform-ca");
      assert.equal(a["nginx.org/use-cluster-ip"], "true");
    });
    it("selects the controller pods by the chart's release-independent label", () => {
      assert.deepEqual(ingressPeer(p()), {
        namespace: "nginx-ingress",
        podLabels: { "app.kubernetes.io/name": "nginx-ingress" },
        serviceAccount: "ingress-controller",
      });
    });
  });

  describe("community ingress-nginx", () => {
    const p = (mesh = true) =>
      platform({
        ingress: { controller: "ingress-nginx", serviceType: "NodePort" },
        istio: { enabled: mesh },
      });
    it("installs the ingressNginx chart with ssl-redirect, HTTP/2, NodePort and the fixed ServiceAccount", () => {
      const plan = ingressChart(p())!;
      assert.equal(plan.key, "ingressNginx");
      const v = plan.values as Dict;
      assert.deepEqual(v["controller"]["config"], { "ssl-redirect": "true", "use-http2": "true" });
      assert.equal(v["controller"]["service"]["type"], "NodePort");
      assert.equal(v["controller"]["ingressClassResource"]["name"], "nginx");
      assert.deepEqual(v["serviceAccount"], { create: true, name: "ingress-controller" });
    });
    it("does not intercept client traffic to the controller's sidecar", () => {
      const c = (ingressChart(p())!.values as Dict)["controller"] as Dict;
      assert.equal(c["podAnnotations"]["traffic.sidecar.istio.io/includeInboundPorts"], "");
      assert.equal(c["podLabels"]["sidecar.istio.io/inject"], "true");
    });
    it("routes through the Service with its mesh host name (service-upstream + upstream-vhost)", () => {
      const a = annotationsOf(route(p()));
      assert.equal(a["nginx.ingress.kubernetes.io/ssl-redirect"], "true");
      assert.equal(a["nginx.ingress.kubernetes.io/service-upstream"], "true");
      assert.equal(a["nginx.ingress.kubernetes.io/upstream-vhost"], "frontend.shop.svc.cluster.local");
    });
    it("adds no mesh wiring without Istio", () => {
      const a = annotationsOf(route(p(false)));
      assert.equal(a["nginx.ingress.kubernetes.io/service-upstream"], undefined);
      assert.equal(
        ((ingressChart(p(false))!.values as Dict)["controller"] as Dict)["podAnnotations"],
        undefined,
      );
      assert.deepEqual(ingressNamespaceLabels(p(false)), {});
    });
    it("selects the controller pods, not the admission jobs", () => {
      assert.deepEqual(ingressPeer(p()).podLabels, {
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/component": "controller",
      });
    });
  });

  describe("nginx Ingress object", () => {
    it("uses class nginx and TLS for the host", () => {
      const ing = route()[0];
      assert.equal(ing.kind, "Ingress");
      const spec = ing.spec as Dict;
      assert.equal(spec["ingressClassName"], "nginx");
      assert.deepEqual(spec["tls"], [{ hosts: ["shop.example.com"], secretName: "frontend-tls" }]);
      assert.equal(spec["rules"][0]["host"], "shop.example.com");
    });
    it("is a valid networking.k8s.io/v1 Ingress", async () => {
      for (const controller of ["nginx-inc", "ingress-nginx"] as const) {
        for (const obj of route(platform({ ingress: { controller } }))) await validateSchema(obj);
      }
    });
  });

  describe("Gateway API (served by Istio)", () => {
    const p = () => platform({ ingress: { controller: "gateway-api", serviceType: "NodePort" } });
    it("has no chart: Istio deploys the Gateway's proxy", () => {
      assert.equal(ingressChart(p()), null);
    });
    it("terminates TLS on HTTPS from the cert-manager secret and keeps HTTP for the redirect", () => {
      const [gw, redirect] = gatewayObjects(p());
      const spec = gw.spec as Dict;
      assert.equal(spec["gatewayClassName"], "istio");
      const https = (spec["listeners"] as Dict[]).find((l) => l["name"] === "https")!;
      assert.equal(https["tls"]["mode"], "Terminate");
      assert.equal(https["tls"]["certificateRefs"][0]["name"], GATEWAY_TLS_SECRET);
      assert.equal(https["hostname"], "shop.example.com");
      assert.equal(gw.metadata.annotations?.["networking.istio.io/service-type"], "NodePort");
      const filter = (redirect.spec as Dict)["rules"][0]["filters"][0];
      assert.deepEqual(filter["requestRedirect"], { scheme: "https", statusCode: 301 });
    });
    it("routes the app with an HTTPRoute and issues the Gateway's certificate", () => {
      const [httpRoute, cert] = route(p());
      assert.equal(httpRoute.kind, "HTTPRoute");
      assert.deepEqual((httpRoute.spec as Dict)["parentRefs"], [
        { name: GATEWAY_NAME, namespace: "gateway-ingress", sectionName: "https" },
      ]);
      assert.equal(cert.kind, "Certificate");
      assert.equal(cert.metadata.namespace, "gateway-ingress");
      assert.equal((cert.spec as Dict)["secretName"], GATEWAY_TLS_SECRET);
      assert.equal((cert.spec as Dict)["issuerRef"]["name"], "platform-ca");
    });
    it("selects the Istio-deployed gateway pods and their ServiceAccount", () => {
      assert.deepEqual(ingressPeer(p()), {
        namespace: "gateway-ingress",
        podLabels: { "gateway.networking.k8s.io/gateway-name": GATEWAY_NAME },
        serviceAccount: `${GATEWAY_NAME}-istio`,
      });
    });
    it("emits Gateway, HTTPRoutes and Certificate valid against their schemas", async () => {
      for (const obj of [...gatewayObjects(p()), ...route(p())]) await validateSchema(obj);
    });
  });
});

describe("IngressController component", () => {
  it("installs the controller chart after its namespace and the mesh, and warns for ingress-nginx", async () => {
    const p = platform({ ingress: { controller: "ingress-nginx" } });
    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = (msg: string) => {
      warnings.push(msg);
      return Promise.resolve();
    };
    try {
      const regs = await underMocks(() => {
        // Depending on a component means depending on its children, so the stand-in needs one.
        const mesh = new pulumi.ComponentResource("test:index:Mesh", "mesh");
        new k8s.core.v1.Namespace("istiod-stand-in", {}, { parent: mesh });
        const ic = new IngressController("dev-ingress", { cluster: p.clusters[0], platform: p, mesh });
        assert.equal(ic.className, "nginx");
        assert.equal(ic.peer.serviceAccount, "ingress-controller");
      });
      const chart = regs.find((r) => r.name === "dev-ingress-ingress-nginx")!;
      assert.equal(chart.type, "kubernetes:helm.sh/v4:Chart");
      assert.match(chart.parent, /k8s-netplat:ingress:IngressController::dev-ingress$/);
      assert.ok(chart.dependencies.some((d) => d.endsWith("::dev-ingress-ns")));
      assert.ok(chart.dependencies.some((d) => d.endsWith("::istiod-stand-in")));
    } finally {
      pulumi.log.warn = warn;
    }
    assert.ok(warnings.some((w) => /retired/.test(w)));
  });
  it("creates a Gateway and its redirect route for gateway-api", async () => {
    const p = platform({ ingress: { controller: "gateway-api" } });
    const regs = await underMocks(
      () => new IngressController("dev-ingress", { cluster: p.clusters[0], platform: p }),
    );
    assert.equal(
      regs.find((r) => r.name === "dev-ingress-gateway")?.type,
      "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    );
    const redirect = regs.find((r) => r.name === "dev-ingress-https-redirect")!;
    assert.ok(redirect.dependencies.some((d) => d.endsWith("::dev-ingress-gateway")));
  });
});
