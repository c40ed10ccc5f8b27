/**
 * Render mode's version check (lib/kube-version.ts): version matching, kubeconfig
 * reading, and the check against a real HTTPS server on loopback standing in for an API
 * server's /version.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ambientCredentialProblems, kubeconfigFor, preflightProblems } from "../../../lib/preflight";
import {
  endpointFromKubeconfig,
  parseKubeVersion,
  renderCapabilityProblems,
  versionMatches,
} from "../../../lib/kube-version";

describe("Kubernetes versions", () => {
  it("parses minor versions and releases, with or without v", () => {
    assert.deepEqual(parseKubeVersion("1.34"), { major: 1, minor: 34 });
    assert.deepEqual(parseKubeVersion("v1.34.4"), { major: 1, minor: 34, patch: 4 });
    assert.deepEqual(parseKubeVersion("v1.30.2-eks-1234"), { major: 1, minor: 30, patch: 2 });
    assert.throws(() => parseKubeVersion("latest"), /not a Kubernetes version: "latest"/);
  });

  it("matches a wanted minor against any patch, a wanted release only exactly", () => {
    assert.ok(versionMatches("1.34", "v1.34.4"));
    assert.ok(versionMatches("v1.34.4", "v1.34.4"));
    assert.ok(!versionMatches("v1.34.3", "v1.34.4"));
    assert.ok(!versionMatches("1.33", "v1.34.4"));
    assert.ok(!versionMatches("1.34", "v1.20.0"));
  });
});

describe("render mode's capability check", () => {
  let dir: string;
  let server: https.Server;
  let kubeconfig: string;
  const served = { gitVersion: "v1.34.4" };
  let readyz = "ok";

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-version-"));
    const ossl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ossl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "srv.key",
      "-out",
      "srv.crt",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ]);
    server = https.createServer(
      { key: fs.readFileSync(path.join(dir, "srv.key")), cert: fs.readFileSync(path.join(dir, "srv.crt")) },
      (req, res) => {
        if (req.headers.authorization !== "Bearer test-token") res.writeHead(401).end("Unauthorized");
        else if (req.url === "/version") {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served));
        } else if (req.url === "/readyz") {
          if (readyz === "ok") res.writeHead(200).end("ok");
          else res.writeHead(500).end(readyz);
        } else res.writeHead(404).end();
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "t",
        contexts: [{ name: "t", context: { cluster: "c", user: "u" } }],
        clusters: [
          {
            name: "c",
            cluster: {
              server: `https://127.0.0.1:${port}`,
              "certificate-authority-data": fs.readFileSync(path.join(dir, "srv.crt")).toString("base64"),
            },
          },
        ],
        users: [{ name: "u", user: { token: "test-token" } }],
      }),
    );
  });

  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the current context's server and credentials", () => {
    const ep = endpointFromKubeconfig(fs.readFileSync(kubeconfig, "utf8"), kubeconfig);
    assert.match(ep.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(ep.token, "test-token");
    assert.ok(ep.ca && ep.ca.length > 100);
  });

  it("passes when every cluster's kubernetesVersion accepts the server's version", async () => {
    const problems = await renderCapabilityProblems(
      [
        { name: "a", kubernetesVersion: "1.34" },
        { name: "b", kubernetesVersion: "v1.34.4" },
      ],
      { KUBECONFIG: kubeconfig },
    );
    assert.deepEqual(problems, []);
  });

  it("names the cluster and both versions on a mismatch", async () => {
    const problems = await renderCapabilityProblems([{ name: "a", kubernetesVersion: "1.33" }], {
      KUBECONFIG: kubeconfig,
    });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /clusters\[a\]\.kubernetesVersion is 1\.33 but the server in KUBECONFIG .* is v1\.34\.4/,
    );
  });

  it("refuses to render without KUBECONFIG, saying how to get a server", async () => {
    const problems = await renderCapabilityProblems([{ name: "a", kubernetesVersion: "1.34" }], {});
    assert.match(problems[0], /KUBECONFIG is not set; .*npm run --silent cluster -- up/);
  });

  it("refuses when the server does not answer, naming the kubeconfig", async () => {
    const bad = path.join(dir, "bad-kubeconfig");
    fs.writeFileSync(bad, fs.readFileSync(kubeconfig, "utf8").replace("test-token", "wrong-token"));
    const problems = await renderCapabilityProblems([{ name: "a", kubernetesVersion: "1.34" }], {
      KUBECONFIG: bad,
    });
    assert.match(
      problems[0],
      /the cluster in KUBECONFIG \(.*bad-kubeconfig\) did not answer its version: .*HTTP 401/,
    );
  });

  describe("the pre-flight before a live deploy", () => {
    const text = () => fs.readFileSync(kubeconfig, "utf8");

    it("passes for a ready server that accepts the credentials and runs the expected version", async () => {
      readyz = "ok";
      assert.deepEqual(
        await preflightProblems([{ name: "dev", kubernetesVersion: "1.34" }], { dev: text() }),
        [],
      );
    });

    it("names a cluster missing from the kubeconfigs secret, and how to set it", async () => {
      const p = await preflightProblems([{ name: "dev" }, { name: "us-west-2" }], { dev: text() });
      assert.deepEqual(p.length, 1);
      assert.match(
        p[0],
        /^cluster us-west-2: no entry in the kubeconfigs secret \(entries: dev\); set it with: pulumi config set --secret/,
      );
    });

    it("gives a provider the cluster's own kubeconfig, and refuses one missing from the secret", () => {
      assert.equal(kubeconfigFor("dev", { dev: "apiVersion: v1" }), "apiVersion: v1");
      assert.throws(
        () => kubeconfigFor("us-west-2", { dev: "apiVersion: v1" }),
        /^Error: cluster us-west-2: no entry in the kubeconfigs secret \(entries: dev\); set it with/,
      );
    });

    it("without the secret, refuses clusters that would share the ambient kubeconfig's context", () => {
      assert.deepEqual(ambientCredentialProblems([{ name: "dev" }]), [], "one cluster: its current context");
      assert.deepEqual(
        ambientCredentialProblems([
          { name: "a", context: "a" },
          { name: "b", context: "b" },
        ]),
        [],
      );
      const none = ambientCredentialProblems([{ name: "a", context: "a" }, { name: "b" }]);
      assert.equal(none.length, 1);
      assert.match(none[0], /^cluster b: no entry in a kubeconfigs secret and no clusters\[\]\.context/);
      assert.deepEqual(
        ambientCredentialProblems([
          { name: "a", context: "shared" },
          { name: "b", context: "shared" },
        ]),
        ["clusters a and b both use context shared: each cluster needs its own"],
      );
    });

    it("names the cluster whose credentials the server refuses", async () => {
      const p = await preflightProblems([{ name: "dev" }], { dev: text().replace("test-token", "expired") });
      assert.match(
        p[0],
        /^cluster dev: the API server refused the credentials in kubeconfigs\["dev"\] \(wrong or expired\)/,
      );
    });

    it("names the cluster whose API server is not ready (etcd down), with the server's reason", async () => {
      readyz = "[-]etcd failed: reason withheld";
      const p = await preflightProblems([{ name: "dev" }], { dev: text() });
      readyz = "ok";
      assert.match(
        p[0],
        /^cluster dev: the API server is not ready: .*\/readyz answered HTTP 500: \[-\]etcd failed/,
      );
    });

    it("names a cluster whose server runs another version than kubernetesVersion", async () => {
      const p = await preflightProblems([{ name: "dev", kubernetesVersion: "1.33" }], { dev: text() });
      assert.deepEqual(p, ["cluster dev: kubernetesVersion is 1.33 but the server runs v1.34.4"]);
    });
  });
});
