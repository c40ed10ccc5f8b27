import { strict as assert } from "assert";
import {
  injectionLabels,
  istioBaseValues,
  istioGatewayValues,
  istiodValues,
  meshPeerAuthentication,
} from "../../../../lib/addons/istio";
import { Istio } from "../../../../components/istio";
import { multiCluster, platform, underMocks, validateSchema } from "./fixtures";

type Dict = Record<string, never>;

describe("Istio planning", () => {
  it("injects sidecars by revision label, not istio-injection=enabled", () => {
    const labels = injectionLabels(platform({ istio: { revision: "1-27" } }));
    assert.deepEqual(labels, { "istio.io/rev": "1-27" });
    assert.equal(labels["istio-injection" as keyof typeof labels], undefined);
  });
  it("installs istiod at the platform's revision and points the default webhook at it", () => {
    const p = platform({ istio: { revision: "1-27" } });
    assert.equal(istiodValues(p.clusters[0], p).revision, "1-27");
    assert.equal(istioBaseValues(p).defaultRevision, "1-27");
  });
  it("sets the trust domain and holds apps until their proxy is ready", () => {
    const p = platform({ istio: { trustDomain: "shop.example" } });
    const mesh = istiodValues(p.clusters[0], p).meshConfig as Dict;
    assert.equal(mesh["trustDomain"], "shop.example");
    assert.equal(mesh["defaultConfig"]["holdApplicationUntilProxyStarts"], true);
  });
  it("names mesh, cluster and network when there are several clusters", () => {
    const p = multiCluster();
    const global = istiodValues(p.clusters[1], p).global as Dict;
    assert.equal(global["meshID"], "netplat");
    assert.equal(global["multiCluster"]["clusterName"], "west");
    // Globalnet: pod ranges overlap, so each cluster is its own Istio network.
    assert.equal(global["network"], "west-network");
  });
  it("sets no multi-cluster values for one cluster", () => {
    const p = platform();
    const global = istiodValues(p.clusters[0], p).global as Dict;
    assert.equal(global["multiCluster"], undefined);
    assert.equal(global["meshID"], undefined);
  });
  it("sends traces to Jaeger when observability and jaeger are on", () => {
    const p = platform({ observability: { enabled: true } });
    const mesh = istiodValues(p.clusters[0], p).meshConfig as Dict;
    assert.deepEqual(mesh["defaultProviders"], { tracing: ["jaeger"] });
    assert.equal(mesh["extensionProviders"][0]["opentelemetry"]["port"], 4317);
  });
  it("gives the ingress gateway a fixed name, our revision and the stack's Service type", () => {
    const v = istioGatewayValues(platform({ ingress: { serviceType: "NodePort" } })) as Dict;
    assert.equal(v["name"], "istio-ingressgateway");
    assert.equal(v["service"]["type"], "NodePort");
  });
  it("enforces the configured mTLS mode mesh-wide from the root namespace", () => {
    const pa = meshPeerAuthentication(platform());
    assert.equal(pa.apiVersion, "security.istio.io/v1");
    assert.deepEqual([pa.metadata.name, pa.metadata.namespace], ["default", "istio-system"]);
    assert.deepEqual(pa.spec, { mtls: { mode: "STRICT" } });
    assert.equal((pa.spec as Record<string, unknown>)["selector"], undefined);
  });
  it("emits a PeerAuthentication valid against Istio's schema", async () => {
    await validateSchema(meshPeerAuthentication(platform()));
  });
  it("the schema check rejects an invalid mTLS mode (the validator bites)", async () => {
    const bad = { ...meshPeerAuthentication(platform()), spec: { mtls: { mode: "SOMETIMES" } } };
    await assert.rejects(validateSchema(bad));
  });
});

describe("Istio component", () => {
  it("orders base -> istiod -> PeerAuthentication and the gateway after istiod", async () => {
    const p = platform({ istio: { ingressGateway: true } });
    const regs = await underMocks(() => new Istio("dev-istio", { cluster: p.clusters[0], platform: p }));
    const get = (n: string) => regs.find((r) => r.name === n)!;
    assert.equal(get("dev-istio").type, "k8s-netplat:mesh:Istio");
    const dependsOn = (n: string, on: string) => get(n).dependencies.some((d) => d.endsWith(`::${on}`));
    assert.ok(dependsOn("dev-istio-base", "dev-istio-ns"));
    assert.ok(dependsOn("dev-istio-istiod", "dev-istio-base"));
    assert.equal(get("dev-istio-mtls").type, "kubernetes:security.istio.io/v1:PeerAuthentication");
    assert.ok(dependsOn("dev-istio-mtls", "dev-istio-istiod"));
    assert.ok(dependsOn("dev-istio-gateway", "dev-istio-istiod"));
    assert.ok(dependsOn("dev-istio-gateway", "dev-istio-ingress-ns"));
    for (const r of regs.filter((x) => x.name !== "dev-istio"))
      assert.match(r.parent, /k8s-netplat:mesh:Istio::dev-istio$/);
  });
  it("creates no gateway unless asked", async () => {
    const p = platform();
    const regs = await underMocks(() => new Istio("dev-istio", { cluster: p.clusters[0], platform: p }));
    assert.equal(
      regs.find((r) => r.name === "dev-istio-gateway"),
      undefined,
    );
  });
});
