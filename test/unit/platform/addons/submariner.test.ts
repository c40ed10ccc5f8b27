import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cidrsOverlap, parseCidr } from "../../../../lib/cidr";
import {
  BROKER_CLIENT_SERVICE_ACCOUNT,
  BROKER_SECRET,
  IPSEC_PSK_SECRET,
  brokerSecret,
  brokerServer,
  brokerTokenSecret,
  brokerValues,
  globalCidrFor,
  ipsecPskSecret,
  operatorValues,
  serviceExport,
  submarinerWithSecretRefs,
} from "../../../../lib/addons/submariner";
import { SubmarinerBroker, SubmarinerJoin } from "../../../../components/submariner";
import { runUnderMocks } from "../../../support/program";
import { cluster, multiCluster, platform, underMocks, validateSchema } from "./fixtures";

type Dict = Record<string, never>;
const broker = {
  server: "east.example.com:6443",
  namespace: "submariner-k8s-broker",
  token: "tok",
  ca: "Y2E=",
};

describe("Submariner planning", () => {
  it("carves a distinct /16 per cluster index from the Globalnet range", () => {
    const p = multiCluster();
    assert.equal(globalCidrFor(p, 0), "242.0.0.0/16");
    assert.equal(globalCidrFor(p, 1), "242.1.0.0/16");
  });
  it("carves ranges that never overlap, inside the configured range", () => {
    const clusters = Array.from({ length: 12 }, (_, i) =>
      cluster({
        name: `c${i}`,
        apiServerCidr: `172.30.${i}.0/28`,
        ...(i === 0 ? { apiServer: { host: "c0.example.com", port: 6443 } } : {}),
      }),
    );
    const p = platform({
      environment: "prod",
      clusters,
      submariner: { broker: "c0", globalnet: true, globalCidrRange: "100.64.0.0/10" },
      certificates: { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" },
    });
    const ranges = clusters.map((_, i) => parseCidr(globalCidrFor(p, i)));
    const outer = parseCidr("100.64.0.0/10");
    ranges.forEach((a, i) => {
      assert.ok(a.first >= outer.first && a.last <= outer.last, a.text);
      ranges.slice(i + 1).forEach((b) => assert.ok(!cidrsOverlap(a, b), `${a.text} overlaps ${b.text}`));
    });
  });
  it("prefers a cluster's own globalCidr", () => {
    const p = multiCluster({
      clusters: [
        cluster({
          name: "east",
          apiServer: { host: "east.example.com", port: 6443 },
          globalCidr: "169.254.0.0/16",
        }),
        cluster({ name: "west" }),
      ],
    });
    assert.equal(globalCidrFor(p, 0), "169.254.0.0/16");
    assert.equal(globalCidrFor(p, 1), "242.1.0.0/16");
  });
  it("refuses a range too small to carve /16s from", () => {
    const p = multiCluster({
      submariner: { broker: "east", globalnet: true, globalCidrRange: "242.0.0.0/17" },
    });
    assert.throws(() => globalCidrFor(p, 0), /\/16 or shorter/);
  });
  it("joins with the cluster's id, ranges, Globalnet range, cable driver, NAT and service discovery", () => {
    const p = multiCluster();
    const v = operatorValues(p, 1, broker) as Dict;
    assert.deepEqual(v["submariner"], {
      clusterId: "west",
      clusterCidr: "10.244.0.0/16",
      serviceCidr: "10.96.0.0/12",
      globalCidr: "242.1.0.0/16",
      natEnabled: true,
      cableDriver: "libreswan",
      serviceDiscovery: true,
    });
    // The token and the PSK are never values: they go into the Secrets the resource names.
    assert.deepEqual(v["broker"], { ...broker, token: "", insecure: false, globalnet: true });
    assert.equal(v["ipsec"], undefined);
    assert.doesNotMatch(JSON.stringify(v), /tok"|psk/);
  });
  it("puts the broker token and CA, and the PSK, in Secrets in the operator namespace", () => {
    assert.deepEqual(brokerSecret(broker), {
      metadata: {
        name: BROKER_SECRET,
        namespace: "submariner-operator",
        labels: brokerSecret(broker).metadata.labels,
      },
      type: "Opaque",
      data: { "ca.crt": "Y2E=" },
      stringData: { token: "tok", namespace: "submariner-k8s-broker" },
    });
    assert.deepEqual(ipsecPskSecret("k").stringData, { psk: "k" });
    assert.equal(ipsecPskSecret("k").metadata.name, IPSEC_PSK_SECRET);
  });
  it("rewrites the chart's Submariner resource to name the Secrets instead of holding token and PSK", () => {
    const cr = {
      apiVersion: "submariner.io/v1alpha1",
      kind: "Submariner",
      spec: { brokerK8sApiServerToken: "", ceIPSecPSK: null, brokerK8sCA: "Y2E=", clusterID: "west" },
    };
    const out = submarinerWithSecretRefs("kubernetes:submariner.io/v1alpha1:Submariner", cr)!;
    assert.deepEqual(out.spec, {
      brokerK8sCA: "Y2E=",
      clusterID: "west",
      brokerK8sSecret: BROKER_SECRET,
      ceIPSecPSKSecret: IPSEC_PSK_SECRET,
    });
    assert.equal(submarinerWithSecretRefs("kubernetes:core/v1:ConfigMap", cr), undefined);
  });
  it("leaves globalCidr empty without Globalnet", () => {
    const p = multiCluster({
      clusters: [
        cluster({ name: "east", apiServer: { host: "east.example.com", port: 6443 } }),
        cluster({ name: "west", podCidr: "10.245.0.0/16", serviceCidr: "10.112.0.0/12" }),
      ],
      submariner: { broker: "east", globalnet: false },
    });
    assert.equal((operatorValues(p, 0, broker) as Dict)["submariner"]["globalCidr"], "");
  });
  it("names the broker client ServiceAccount and its token Secret explicitly", () => {
    assert.equal(
      (brokerValues() as Dict)["serviceAccounts"]["client"]["name"],
      BROKER_CLIENT_SERVICE_ACCOUNT,
    );
    const s = brokerTokenSecret();
    assert.equal(s.type, "kubernetes.io/service-account-token");
    assert.equal(
      s.metadata.annotations?.["kubernetes.io/service-account.name"],
      BROKER_CLIENT_SERVICE_ACCOUNT,
    );
  });
  it("needs the broker cluster's API server address", () => {
    assert.equal(brokerServer(multiCluster().clusters[0]), "east.example.com:6443");
    assert.throws(() => brokerServer(multiCluster().clusters[1]), /apiServer/);
  });
  it("exports a Service by name (ServiceExport has no published schema)", () => {
    assert.deepEqual(
      { ...serviceExport("payment", "shop"), metadata: { name: "payment", namespace: "shop" } },
      {
        apiVersion: "multicluster.x-k8s.io/v1alpha1",
        kind: "ServiceExport",
        metadata: { name: "payment", namespace: "shop" },
      },
    );
  });
  it("emits a token Secret valid against the v1 schema", async () => {
    await validateSchema(brokerTokenSecret());
  });
});

describe("Submariner components", () => {
  it("broker: chart after namespace, token Secret after chart, read back after the Secret; token and CA secret", async () => {
    const p = multiCluster();
    let b: SubmarinerBroker | undefined;
    const regs = await underMocks(() => {
      b = new SubmarinerBroker("east-submariner-broker", { cluster: p.clusters[0], platform: p });
    });
    const get = (n: string) => regs.find((r) => r.name === n)!;
    assert.equal(get("east-submariner-broker").type, "k8s-netplat:multicluster:SubmarinerBroker");
    assert.ok(
      get("east-submariner-broker-broker").dependencies.some((d) =>
        d.endsWith("::east-submariner-broker-ns"),
      ),
    );
    assert.ok(
      get("east-submariner-broker-token").dependencies.some((d) =>
        d.endsWith("::east-submariner-broker-broker"),
      ),
    );
    const live = get("east-submariner-broker-token-live");
    assert.equal(live.read, true);
    assert.ok(live.dependencies.some((d) => d.endsWith("::east-submariner-broker-token")));
    assert.equal(await pulumi.isSecret(b!.connection.token), true);
    assert.equal(await pulumi.isSecret(b!.connection.ca), true);
    assert.equal(b!.connection.server, "east.example.com:6443");
  });
  it("join: operator chart in its own namespace with this cluster's values", async () => {
    const p = multiCluster();
    const regs = await underMocks(() => {
      const conn = {
        ...broker,
        token: pulumi.secret("tok"),
        ca: pulumi.secret("Y2E="),
      };
      new SubmarinerJoin("west-submariner", { cluster: p.clusters[1], platform: p, broker: conn });
    });
    const chart = regs.find((r) => r.name === "west-submariner-operator")!;
    assert.equal(chart.type, "kubernetes:helm.sh/v4:Chart");
    assert.match(chart.parent, /k8s-netplat:multicluster:SubmarinerJoin::west-submariner$/);
    assert.ok(chart.dependencies.some((d) => d.endsWith("::west-submariner-ns")));
    // The Secrets the resource names exist before the operator reads them.
    for (const s of ["west-submariner-broker-secret", "west-submariner-ipsec-psk"]) {
      assert.ok(
        chart.dependencies.some((d) => d.endsWith(`::${s}`)),
        s,
      );
    }
  });

  it("fails, naming the broker cluster, when the token Secret holds no token (never an empty token)", async () => {
    const p = multiCluster();
    let b: SubmarinerBroker | undefined;
    await runUnderMocks(
      "test",
      undefined,
      () => {
        b = new SubmarinerBroker("east-submariner-broker", { cluster: p.clusters[0], platform: p });
      },
      { readState: (args) => ({ ...args.inputs, data: {} }) },
    );
    await assert.rejects(
      valueOf(b!.connection.token),
      /cluster east \(Submariner broker\): no broker client token/,
    );
    await assert.rejects(
      valueOf(b!.connection.ca),
      /cluster east \(Submariner broker\): no broker client CA/,
    );
  });
  it("decodes the token the token controller filled in, and keeps it secret", async () => {
    const p = multiCluster();
    let b: SubmarinerBroker | undefined;
    await underMocks(() => {
      b = new SubmarinerBroker("east-submariner-broker", { cluster: p.clusters[0], platform: p });
    });
    assert.equal(await valueOf(b!.connection.token), "mock-token");
    assert.ok(k8s.core.v1.Secret.isInstance(b!.tokenSecret), "the token Secret is a typed field");
    assert.equal(await pulumi.isSecret(b!.connection.token), true);
  });
  it("refuses empty broker credentials from config (render mode), naming the cluster and the secret", async () => {
    const p = multiCluster();
    let b: SubmarinerBroker | undefined;
    await underMocks(() => {
      b = new SubmarinerBroker("east-submariner-broker", {
        cluster: p.clusters[0],
        platform: p,
        credentials: { token: pulumi.secret(""), ca: pulumi.secret("Y2E=") },
      });
    });
    await assert.rejects(
      valueOf(b!.connection.token),
      /cluster east \(Submariner broker\): no broker client token in the secret k8s-netplat:submarinerBrokerToken/,
    );
    assert.equal(await valueOf(b!.connection.ca), "Y2E=");
  });
});

/** An Output's value, or its failure (the SDK's own promise; not in its public typings). */
function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}
