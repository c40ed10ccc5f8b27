import { strict as assert } from "assert";
import {
  ACME_SERVERS,
  certManagerRelease,
  certManagerValues,
  clusterIssuerName,
  clusterIssuers,
} from "../../../../lib/addons/cert-manager";
import { CertManager } from "../../../../components/cert-manager";
import { platform, underMocks, validateSchema } from "./fixtures";

type Dict = Record<string, never>;
const letsEncrypt = (issuer: "letsencrypt-staging" | "letsencrypt-prod", controller = "nginx-inc" as const) =>
  platform({
    certificates: { issuer, acmeEmail: "ops@example.com" },
    ingress: { controller },
  });

describe("cert-manager planning", () => {
  it("names the issuer apps use for each choice", () => {
    assert.equal(clusterIssuerName(platform()), "platform-ca");
    assert.equal(clusterIssuerName(letsEncrypt("letsencrypt-staging")), "letsencrypt-staging");
    assert.equal(clusterIssuerName(letsEncrypt("letsencrypt-prod")), "letsencrypt-prod");
  });
  it("builds a self-signed CA: bootstrap issuer, CA certificate in cert-manager, CA issuer platform-ca", () => {
    const [bootstrap, ca, issuer] = clusterIssuers(platform());
    assert.deepEqual(bootstrap.spec, { selfSigned: {} });
    assert.equal(ca.kind, "Certificate");
    assert.equal(ca.metadata.namespace, "cert-manager");
    assert.equal((ca.spec as Dict)["isCA"], true);
    assert.equal((ca.spec as Dict)["issuerRef"]["name"], bootstrap.metadata.name);
    assert.equal(issuer.metadata.name, "platform-ca");
    assert.deepEqual(issuer.spec, { ca: { secretName: (ca.spec as Dict)["secretName"] } });
  });
  it("creates no Let's Encrypt issuer for a self-signed stack", () => {
    assert.ok(clusterIssuers(platform()).every((o) => !(o.spec as Dict)["acme"]));
  });
  it("uses the Let's Encrypt staging directory for letsencrypt-staging", () => {
    const issuers = clusterIssuers(letsEncrypt("letsencrypt-staging"));
    assert.equal(issuers.length, 1);
    const acme = (issuers[0].spec as Dict)["acme"] as Dict;
    assert.equal(acme["server"], "https://acme-staging-v02.api.letsencrypt.org/directory");
    assert.equal(acme["email"], "ops@example.com");
  });
  it("uses only the production directory for letsencrypt-prod (no staging issuer in prod)", () => {
    const issuers = clusterIssuers(letsEncrypt("letsencrypt-prod"));
    assert.deepEqual(
      issuers.map((i) => i.metadata.name),
      ["letsencrypt-prod"],
    );
    assert.equal(
      ((issuers[0].spec as Dict)["acme"] as Dict)["server"],
      "https://acme-v02.api.letsencrypt.org/directory",
    );
    assert.equal(ACME_SERVERS["letsencrypt-prod"], "https://acme-v02.api.letsencrypt.org/directory");
  });
  it("solves HTTP-01 through the nginx ingress class", () => {
    const acme = (clusterIssuers(letsEncrypt("letsencrypt-prod"))[0].spec as Dict)["acme"] as Dict;
    assert.equal(acme["solvers"][0]["http01"]["ingress"]["ingressClassName"], "nginx");
  });
  it("solves HTTP-01 through our Gateway's HTTP listener for gateway-api, with Gateway API enabled in cert-manager", () => {
    const p = platform({
      certificates: { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" },
      ingress: { controller: "gateway-api" },
    });
    const acme = (clusterIssuers(p)[0].spec as Dict)["acme"] as Dict;
    assert.deepEqual(acme["solvers"][0]["http01"]["gatewayHTTPRoute"]["parentRefs"], [
      { name: "platform-gateway", namespace: "gateway-ingress", kind: "Gateway", sectionName: "http" },
    ]);
    assert.equal((certManagerValues(p).config as Dict)["enableGatewayAPI"], true);
  });
  it("takes chart, version and repository from the chart sources, into namespace cert-manager", () => {
    const r = certManagerRelease(platform({ charts: { certManager: { version: "v1.19.0" } } }));
    assert.deepEqual(r, {
      chart: "cert-manager",
      version: "v1.19.0",
      repositoryOpts: { repo: "https://charts.jetstack.io" },
      namespace: "cert-manager",
    });
  });
  it("emits issuers and the CA certificate valid against cert-manager's schemas", async () => {
    const all = [
      ...clusterIssuers(platform()),
      ...clusterIssuers(letsEncrypt("letsencrypt-staging")),
      ...clusterIssuers(letsEncrypt("letsencrypt-prod")),
      ...clusterIssuers(
        platform({
          certificates: { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" },
          ingress: { controller: "gateway-api" },
        }),
      ),
    ];
    for (const obj of all) await validateSchema(obj);
  });
});

describe("CertManager component", () => {
  it("creates every issuer after the cert-manager release, in order", async () => {
    const p = platform();
    const regs = await underMocks(
      () => new CertManager("dev-cert-manager", { cluster: p.clusters[0], platform: p }),
    );
    const release = regs.find((r) => r.name === "dev-cert-manager-release")!;
    assert.equal(release.type, "kubernetes-cert-manager:index:CertManager");
    assert.match(release.parent, /k8s-netplat:certificates:CertManager::dev-cert-manager$/);
    assert.ok(release.dependencies.some((d) => d.endsWith("::dev-cert-manager-ns")));
    const issuers = regs.filter((r) => r.type.startsWith("kubernetes:cert-manager.io/v1:"));
    assert.deepEqual(
      issuers.map((r) => r.type.split(":").pop()),
      ["ClusterIssuer", "Certificate", "ClusterIssuer"],
    );
    for (const i of issuers)
      assert.ok(
        i.dependencies.some((d) => d.endsWith("::dev-cert-manager-release")),
        i.name,
      );
    assert.ok(issuers[2].dependencies.some((d) => d.endsWith(`::${issuers[1].name}`)));
  });
  it("passes the release's chart source and the stack's values to Helm", async () => {
    const p = platform({ values: { certManager: { replicaCount: 2 } } });
    const regs = await underMocks(
      () => new CertManager("dev-cert-manager", { cluster: p.clusters[0], platform: p }),
    );
    const inputs = regs.find((r) => r.name === "dev-cert-manager-release")!.inputs as Dict;
    assert.equal(inputs["installCRDs"], true);
    assert.equal(inputs["helmOptions"]["namespace"], "cert-manager");
    assert.equal(inputs["helmOptions"]["values"]["replicaCount"], 2);
  });
});
