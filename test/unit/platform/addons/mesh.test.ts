/**
 * One mesh across clusters (lib/addons/mesh.ts, components/mesh.ts): the root CA secret's
 * validation, the objects each cluster gets, their order, and that credentials stay secrets.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  ISTIO_CACERTS_SECRET,
  ISTIO_READER_SERVICE_ACCOUNT,
  MESH_ROOT_ISSUER,
  MESH_ROOT_SECRET,
  intermediateCertificate,
  meshRootIssuer,
  meshRootSecret,
  parseMeshRootCa,
  readerTokenSecret,
  remoteKubeconfig,
  remoteSecret,
} from "../../../../lib/addons/mesh";
import { PLACEHOLDER_SECRETS } from "../../../../scripts/lib/workspace";
import { createMeshTrust, createReaderToken, createRemoteSecret } from "../../../../components/mesh";
import { RENDER_PLACEHOLDER } from "../../../../lib/render-secrets";
import { multiCluster, underMocks, validateSchema } from "./fixtures";

/** A certificate and key made by openssl for the test (never committed). */
function makeCert(ca: boolean): { cert: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-test-"));
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
        ...["-keyout", path.join(dir, "k.pem"), "-out", path.join(dir, "c.pem"), "-days", "30"],
        ...["-subj", "/CN=mesh-test", "-addext", `basicConstraints=critical,CA:${ca ? "TRUE" : "FALSE"}`],
      ],
      { stdio: "ignore" },
    );
    return {
      cert: fs.readFileSync(path.join(dir, "c.pem"), "utf8"),
      key: fs.readFileSync(path.join(dir, "k.pem"), "utf8"),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const keyBody = (pem: string) => pem.split("\n")[1];

/** A stand-in for what the mesh objects wait for (a chart, a namespace). */
class Stub extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Stub", name, {});
  }
}

describe("mesh root CA (k8s-netplat:meshRootCa)", () => {
  const root = makeCert(true);

  it("accepts a CA certificate and its key, in either order", () => {
    assert.equal(parseMeshRootCa(root.cert + root.key).cert.trim(), root.cert.trim());
    assert.equal(parseMeshRootCa(root.key + root.cert).key.trim(), root.key.trim());
  });

  it("refuses a certificate that is not a CA, naming the secret and what is accepted", () => {
    const leaf = makeCert(false);
    assert.throws(
      () => parseMeshRootCa(leaf.cert + leaf.key),
      /k8s-netplat:meshRootCa: the certificate is not a CA \(basicConstraints CA:TRUE\); set it with: cat root-cert\.pem root-key\.pem \| pulumi config set --secret meshRootCa/,
    );
  });

  it("refuses a key that does not belong to the certificate, without printing the key", () => {
    const other = makeCert(true);
    assert.throws(
      () => parseMeshRootCa(root.cert + other.key),
      (e: Error) =>
        /the private key does not belong to the certificate/.test(e.message) &&
        !e.message.includes(keyBody(other.key)),
    );
  });

  it("refuses a certificate alone, and an expired one", () => {
    assert.throws(() => parseMeshRootCa(root.cert), /found 1 certificate\(s\) and 0 key\(s\)/);
    assert.throws(
      () => parseMeshRootCa(root.cert + root.key, new Date(Date.now() + 365 * 86400_000)),
      /expired on/,
    );
  });
});

describe("mesh objects (one mesh across clusters)", () => {
  it("issues each cluster's intermediate CA from the shared root into istio-system/cacerts, awaited until Ready", async () => {
    const c = intermediateCertificate("us-west-2", "istio-system");
    const spec = c.spec as Record<string, unknown>;
    assert.equal(c.metadata.namespace, "istio-system");
    assert.equal(spec.secretName, ISTIO_CACERTS_SECRET);
    assert.equal(spec.isCA, true);
    assert.match(spec.commonName as string, /us-west-2/);
    assert.notEqual(
      (intermediateCertificate("us-east-1", "istio-system").spec as { commonName: string }).commonName,
      spec.commonName,
    );
    assert.equal(spec.duration, "8760h");
    assert.equal(spec.renewBefore, "720h");
    assert.deepEqual(spec.issuerRef, {
      kind: "ClusterIssuer",
      name: MESH_ROOT_ISSUER,
      group: "cert-manager.io",
    });
    assert.equal(c.metadata.annotations?.["pulumi.com/waitFor"], "condition=Ready");
    assert.deepEqual(meshRootIssuer().spec, { ca: { secretName: MESH_ROOT_SECRET } });
    const rootSecret = meshRootSecret("CERT", "KEY");
    assert.equal(rootSecret.metadata.namespace, "cert-manager");
    for (const o of [c, meshRootIssuer(), rootSecret, readerTokenSecret("istio-system")])
      await validateSchema(o);
  });

  it("gives the reader ServiceAccount the base chart creates a token Secret that is awaited until filled", () => {
    const s = readerTokenSecret("istio-system");
    assert.equal(s.type, "kubernetes.io/service-account-token");
    assert.equal(
      s.metadata.annotations?.["kubernetes.io/service-account.name"],
      ISTIO_READER_SERVICE_ACCOUNT,
    );
    assert.equal(s.metadata.annotations?.["pulumi.com/waitFor"], "jsonpath={.data.token}");
  });

  it("writes a remote secret istiod finds: label, cluster annotation, and a kubeconfig for the remote cluster", () => {
    const kubeconfig = remoteKubeconfig({
      name: "us-west-2",
      server: "https://api.us-west-2.example.com:6443",
      caData: "Q0E=",
      token: "tok",
    });
    const doc = parse(kubeconfig) as {
      clusters: Array<{ name: string; cluster: Record<string, string> }>;
      users: Array<{ name: string; user: { token: string } }>;
      "current-context": string;
    };
    assert.equal(doc.clusters[0].cluster.server, "https://api.us-west-2.example.com:6443");
    assert.equal(doc.clusters[0].cluster["certificate-authority-data"], "Q0E=");
    assert.equal(doc.users[0].user.token, "tok");
    assert.equal(doc["current-context"], "us-west-2");
    const s = remoteSecret("us-west-2", "istio-system", kubeconfig);
    assert.equal(s.metadata.labels?.["istio/multiCluster"], "true");
    assert.equal(s.metadata.annotations?.["networking.istio.io/cluster"], "us-west-2");
    assert.deepEqual(Object.keys(s.stringData as object), ["us-west-2"]);
  });
});

describe("mesh wiring (under mocks)", () => {
  it("root Secret, issuer and intermediate in order, each credential a Pulumi secret", async () => {
    const p = multiCluster();
    let trust: ReturnType<typeof createMeshTrust> | undefined;
    const regs = await underMocks(() => {
      const release = new Stub("cm-release");
      const ns = new Stub("istio-ns");
      trust = createMeshTrust(
        "east",
        {
          cluster: p.clusters[0],
          istioNamespace: "istio-system",
          // Not marked secret here: the component must mark what it writes.
          rootCa: pulumi.output(parseMeshRootCa(PLACEHOLDER_SECRETS.meshRootCa)),
          certManager: release,
          namespace: ns,
        },
        {},
      );
    });
    const get = (n: string) => regs.find((r) => r.name === n)!;
    const deps = (n: string) => get(n).dependencies.map((d) => d.split("::").pop());
    assert.ok(deps("east-mesh-root-ca").includes("cm-release"));
    assert.ok(deps("east-mesh-root-issuer").includes("east-mesh-root-ca"));
    assert.ok(deps("east-mesh-root-issuer").includes("cm-release"));
    assert.ok(deps("east-mesh-intermediate-ca").includes("east-mesh-root-issuer"));
    assert.ok(deps("east-mesh-intermediate-ca").includes("istio-ns"));
    assert.equal(await pulumi.isSecret(trust!.rootValues.cert), true);
    assert.equal(await pulumi.isSecret(trust!.rootValues.key), true);
  });

  it("the reader token after its ServiceAccount's chart; the remote secret's kubeconfig is a secret", async () => {
    let kubeconfigSecret = false;
    let tokenSecret = false;
    const regs = await underMocks(() => {
      const base = new Stub("west-istio-base");
      const reader = createReaderToken("west-istio", "us-west-2", "istio-system", base, false, {});
      // Plain inputs: the kubeconfig holding the token must be marked secret by the component itself.
      const plain = { ...reader, token: pulumi.output("tok"), caData: pulumi.output("Q0E=") };
      const s = createRemoteSecret("us-east-1", "istio-system", plain, pulumi.output("https://w:6443"), {});
      void pulumi.isSecret(s.kubeconfig).then((v) => (kubeconfigSecret = v));
      // The remote secret built from the live token depends on its read.
      createRemoteSecret("us-east-2", "istio-system", reader, pulumi.output("https://w:6443"), {});
      void pulumi.isSecret(reader.token).then((v) => (tokenSecret = v));
    });
    const get = (n: string) => regs.find((r) => r.name === n)!;
    const deps = (n: string) => get(n).dependencies.map((d) => d.split("::").pop());
    assert.ok(deps("west-istio-istio-reader-token").includes("west-istio-base"));
    assert.equal(get("west-istio-istio-reader-token-live").read, true);
    assert.ok(deps("west-istio-istio-reader-token-live").includes("west-istio-istio-reader-token"));
    // The kubeconfig is built from the live read: the remote secret depends on it.
    assert.ok(deps("us-east-2-istio-remote-secret-us-west-2").includes("west-istio-istio-reader-token-live"));
    assert.equal(tokenSecret, true);
    assert.equal(kubeconfigSecret, true);
  });

  it("render mode reads no token back: no live read, and the token is the render placeholder, secret", async () => {
    let token = "";
    let secret = false;
    const regs = await underMocks(() => {
      const base = new Stub("west-istio-base");
      const reader = createReaderToken("west-istio", "us-west-2", "istio-system", base, true, {});
      reader.token.apply((t) => (token = t));
      void pulumi.isSecret(reader.token).then((v) => (secret = v));
    });
    assert.ok(!regs.some((r) => r.read), "no Secret.get in render mode");
    assert.ok(regs.some((r) => r.name === "west-istio-istio-reader-token"));
    assert.equal(token, RENDER_PLACEHOLDER);
    assert.equal(secret, true);
  });
});
