/**
 * What a user looks for after `pulumi up`: each cluster's ingress address (from the
 * controller's Service or the Gateway), the observability UIs' URLs, and components'
 * main children as typed fields.
 */
import { strict as assert } from "assert";
import { PLACEHOLDER_SECRETS } from "../../../scripts/lib/workspace";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IngressController } from "../../../components/ingress";
import { Microservice } from "../../../components/microservice";
import { exposedService, gatewayAddress, serviceAddress } from "../../../lib/ingress-address";
import { observabilityUrls } from "../../../lib/observability-urls";
import { SHOP_APP } from "../../../lib/default-app";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import type { StackOutputs } from "../../../components/stack";
import { resourceReference, runUnderMocks } from "../../support/program";
import { platform } from "./addons/fixtures";

/** An Output's value (the SDK's own promise; not in its public typings). */
function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

const lbService = {
  metadata: { name: "dev-ingress-nginx-ingress-controller", namespace: "nginx-ingress" },
  spec: {
    type: "LoadBalancer",
    ports: [
      { name: "http", port: 80, nodePort: 31080 },
      { name: "https", port: 443, nodePort: 31443 },
    ],
  },
};

describe("ingress address (planning)", () => {
  it("reads a LoadBalancer's hostname, else its IP, with the Service ports", () => {
    const withHost = {
      ...lbService,
      status: { loadBalancer: { ingress: [{ hostname: "lb.example.com" }] } },
    };
    assert.deepEqual(serviceAddress(withHost), {
      source: "nginx-ingress/dev-ingress-nginx-ingress-controller",
      serviceType: "LoadBalancer",
      host: "lb.example.com",
      ports: { http: 80, https: 443 },
    });
    const withIp = { ...lbService, status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } } };
    assert.equal(serviceAddress(withIp)?.host, "203.0.113.7");
    assert.equal(serviceAddress(lbService)?.host, undefined, "no host before the cloud assigns one");
  });

  it("reads the node ports of a NodePort Service", () => {
    const np = { ...lbService, spec: { ...lbService.spec, type: "NodePort" } };
    assert.deepEqual(serviceAddress(np), {
      source: "nginx-ingress/dev-ingress-nginx-ingress-controller",
      serviceType: "NodePort",
      ports: { http: 31080, https: 31443 },
    });
  });

  it("picks the exposed Service among a chart's Services and ignores ClusterIP ones", () => {
    const admission = {
      metadata: { name: "admission" },
      spec: { type: "ClusterIP", ports: [{ port: 443 }] },
    };
    assert.equal(exposedService([admission, lbService]), lbService);
    assert.equal(exposedService([admission]), undefined);
    assert.equal(serviceAddress(admission), undefined);
  });

  it("reads a Gateway's first address and its listeners' ports", () => {
    const gw = {
      metadata: { name: "platform-gateway", namespace: "gateway-ingress" },
      spec: {
        listeners: [
          { name: "https", port: 443 },
          { name: "http", port: 80 },
        ],
      },
      status: { addresses: [{ type: "IPAddress", value: "198.51.100.4" }] },
    };
    assert.deepEqual(gatewayAddress(gw, "LoadBalancer"), {
      source: "gateway-ingress/platform-gateway",
      serviceType: "LoadBalancer",
      host: "198.51.100.4",
      ports: { https: 443, http: 80 },
    });
  });
});

describe("observability URLs (planning)", () => {
  it("lists the in-cluster URLs of Grafana, Kiali and Jaeger when they are on", () => {
    assert.deepEqual(observabilityUrls(platform({ observability: { enabled: true } })), {
      grafana: "http://kps-grafana.monitoring.svc.cluster.local:80",
      kiali: "http://kiali.istio-system.svc.cluster.local:20001/kiali",
      jaeger: "http://jaeger-query.monitoring.svc.cluster.local:16686",
    });
  });
  it("leaves out what is off: all without observability, Kiali without Istio, Jaeger when disabled", () => {
    assert.deepEqual(observabilityUrls(platform()), {});
    assert.deepEqual(
      Object.keys(
        observabilityUrls(platform({ istio: { enabled: false }, observability: { enabled: true } })),
      ),
      ["grafana", "jaeger"],
    );
    assert.deepEqual(
      Object.keys(observabilityUrls(platform({ observability: { enabled: true, jaeger: false } }))),
      ["grafana", "kiali"],
    );
  });
});

describe("ingress address (under mocks)", () => {
  it("is an Output read from the controller chart's exposed Service", async () => {
    const p = platform();
    let ic: IngressController | undefined;
    const svcUrn = "urn:pulumi:test::k8s-netplat::kubernetes:core/v1:Service::rendered-controller";
    await runUnderMocks(
      "test",
      undefined,
      () => {
        // Stands for the Service the chart renders; the mocked chart lists it among its resources.
        new k8s.core.v1.Service("rendered-controller", lbService);
        ic = new IngressController("dev-ingress", { cluster: p.clusters[0], platform: p });
      },
      {
        createdState: (args) => {
          if (args.type === "kubernetes:helm.sh/v4:Chart")
            return { ...args.inputs, resources: [resourceReference(svcUrn)] };
          if (args.name === "rendered-controller") {
            return {
              ...args.inputs,
              status: { loadBalancer: { ingress: [{ hostname: "lb.example.com" }] } },
            };
          }
          return undefined;
        },
      },
    );
    assert.deepEqual(await valueOf(ic!.address), {
      source: "nginx-ingress/dev-ingress-nginx-ingress-controller",
      serviceType: "LoadBalancer",
      host: "lb.example.com",
      ports: { http: 80, https: 443 },
    });
  });

  it("is null while the chart has no exposed Service (render mode, a first preview)", async () => {
    const p = platform();
    let ic: IngressController | undefined;
    await runUnderMocks(
      "test",
      undefined,
      () => {
        ic = new IngressController("dev-ingress", { cluster: p.clusters[0], platform: p });
      },
      {
        createdState: (args) =>
          args.type === "kubernetes:helm.sh/v4:Chart" ? { ...args.inputs, resources: [] } : undefined,
      },
    );
    assert.equal(await valueOf(ic!.address), null);
  });

  it("comes from the Gateway's status in gateway-api mode", async () => {
    const p = platform({ ingress: { controller: "gateway-api" } });
    let ic: IngressController | undefined;
    await runUnderMocks(
      "test",
      undefined,
      () => {
        ic = new IngressController("dev-ingress", { cluster: p.clusters[0], platform: p });
      },
      {
        createdState: (args) =>
          args.name === "dev-ingress-gateway"
            ? { ...args.inputs, status: { addresses: [{ type: "Hostname", value: "gw.example.com" }] } }
            : undefined,
      },
    );
    const a = await valueOf(ic!.address);
    assert.equal(a?.host, "gw.example.com");
    assert.equal(a?.source, "gateway-ingress/platform-gateway");
    assert.equal(a?.ports.https, 443);
  });
});

describe("stack outputs (whole program under mocks)", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../../index") as () => Promise<StackOutputs>;

  it("gives each cluster its ingress address, app host and the observability URLs that are on", async () => {
    const { outputs } = await runUnderMocks(
      "multi-cluster",
      readRawPlatformConfig(stackFile("multi-cluster")),
      program,
      { secrets: { ...PLACEHOLDER_SECRETS } },
    );
    assert.deepEqual(
      outputs.clusters.map((c) => c.name),
      ["us-east-1", "us-west-2"],
    );
    for (const c of outputs.clusters) {
      assert.ok(pulumi.Output.isInstance(c.ingressAddress), `${c.name}: ingressAddress is an Output`);
      assert.equal(c.appHost, "shop.example.com");
      assert.deepEqual(Object.keys(c.observability).sort(), ["grafana", "jaeger", "kiali"]);
    }
    const dev = await runUnderMocks("dev", readRawPlatformConfig(stackFile("dev")), program);
    assert.deepEqual(dev.outputs.clusters[0].observability, {}, "dev has observability off");
  });
});

describe("components expose their main children, typed", () => {
  it("Microservice: its ServiceAccount, client Service and workload (StatefulSet for a stateful member)", async () => {
    let web: Microservice | undefined;
    let events: Microservice | undefined;
    await runUnderMocks("test", undefined, () => {
      const options = { namespace: "shop", partOf: "shop", replicas: 1, podDisruptionBudget: false };
      web = new Microservice("c-frontend", { service: SHOP_APP.services[0], prefix: "c", options });
      events = new Microservice("c-events", {
        service: SHOP_APP.services.find((s) => s.stateful)!,
        prefix: "c",
        options,
      });
    });
    assert.ok(k8s.apps.v1.Deployment.isInstance(web!.workload));
    assert.ok(k8s.core.v1.Service.isInstance(web!.service));
    assert.ok(k8s.core.v1.ServiceAccount.isInstance(web!.serviceAccount));
    assert.ok(k8s.apps.v1.StatefulSet.isInstance(events!.workload));
    assert.equal(
      await valueOf(events!.service.metadata.name),
      "events",
      "the client Service, not the headless one",
    );
  });
});
