import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { PSS_CONTROLS, type PssCheckId } from "../../../policy-pack/lib/pss";
import { FIXTURES, find, fixtureManifests } from "./harness";
import { CASES, type Mutate } from "./pss-cases";
import { pssPolicies } from "./pss-support";

const ROOT = path.join(__dirname, "..", "..", "..");
const TS_NODE = path.join(ROOT, "node_modules", "ts-node", "dist", "bin.js");

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [TS_NODE, "--transpile-only", "scripts/policy-check.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  policy: string;
  level: string;
  kind: string;
  namespace: string | null;
  name: string;
  message: string;
}

describe("policy:check CLI (child process)", function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("exits 0 on the secure fixture, printing nothing on stdout", () => {
    const r = cli(path.join(FIXTURES, "secure"));
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout, "");
  });

  it("exits 1 on the insecure fixture and prints one line per violation", () => {
    const r = cli(path.join(FIXTURES, "insecure"));
    assert.strictEqual(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.ok(
      lines.includes(
        "kubernetes-service-no-external-ips mandatory Service shop/orders-external: the Service sets externalIPs 198.51.100.10. Remove spec.externalIPs; expose the Service through the ingress controller or an allow-listed LoadBalancer.",
      ),
      r.stdout,
    );
    assert.ok(
      lines.every((l) => /^[a-z0-9-]+ (advisory|mandatory) \S+ \S+: /.test(l)),
      r.stdout,
    );
  });

  /** `<root>/<cluster>/1-manifest/*.yaml` (render mode's multi-cluster layout), from fixture folders. */
  function renderLayout(root: string, clusters: Record<string, string>): string {
    for (const [cluster, fixture] of Object.entries(clusters)) {
      const dir = path.join(root, cluster, "1-manifest");
      fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
    }
    return root;
  }

  it("judges render mode's multi-cluster folder one cluster at a time: the same objects in two clusters are not duplicates", () => {
    const root = renderLayout(path.join(tmp, "render-two-secure"), { east: "secure", west: "secure" });
    const r = cli(root);
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /clusters east, west\): 0 violation\(s\), 0 mandatory/);
  });

  it("names the cluster of each violation in a multi-cluster render folder", () => {
    const root = renderLayout(path.join(tmp, "render-mixed"), { east: "secure", west: "insecure" });
    const r = cli(root);
    assert.strictEqual(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.ok(lines.length > 0 && lines.every((l) => l.startsWith("[west] ")), r.stdout);
    const json = cli("--output", "json", root);
    const rows = JSON.parse(json.stdout) as Array<Row & { cluster?: string }>;
    assert.ok(rows.length > 0 && rows.every((x) => x.cluster === "west"), json.stdout);
  });

  it("still judges any other folder of folders as one set", () => {
    // Subfolders holding manifest files, not numbered render folders: one cluster split up.
    const root = path.join(tmp, "plain-two");
    for (const [sub, fixture] of [
      ["a", "secure"],
      ["b", "insecure"],
    ]) {
      fs.cpSync(path.join(FIXTURES, fixture), path.join(root, sub), { recursive: true });
    }
    const r = cli("--output", "json", root);
    assert.strictEqual(r.code, 1, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<Row & { cluster?: string }>;
    assert.ok(rows.length > 0 && rows.every((x) => !("cluster" in x)), r.stdout);
    assert.match(cli(root).stderr, /^policy:check \(prod\): \d+ violation/m);
  });

  it("--output json prints the same as a JSON array of {policy, level, kind, namespace, name, message}", () => {
    const r = cli("--output", "json", path.join(FIXTURES, "insecure"));
    assert.strictEqual(r.code, 1, r.stderr);
    const rows = JSON.parse(r.stdout) as Row[];
    assert.ok(rows.length > 30);
    for (const row of rows)
      assert.deepStrictEqual(Object.keys(row), ["policy", "level", "kind", "namespace", "name", "message"]);
    const issuer = rows.find((x) => x.policy === "certmanager-clusterissuer-acme-production");
    assert.deepStrictEqual(
      { ...issuer, message: undefined },
      {
        policy: "certmanager-clusterissuer-acme-production",
        level: "mandatory",
        kind: "ClusterIssuer",
        namespace: null,
        name: "letsencrypt",
        message: undefined,
      },
    );
  });

  it("--stack dev applies the dev config: advisory-only findings exit 0", () => {
    const f = path.join(tmp, "permissive.yaml");
    fs.writeFileSync(
      f,
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: shop, namespace: shop}\nspec: {mtls: {mode: PERMISSIVE}}\n",
    );
    const prod = cli("--output=json", f);
    assert.strictEqual(prod.code, 1, prod.stderr);
    const dev = cli("--stack", "dev", "--output=json", f);
    assert.strictEqual(dev.code, 0, dev.stderr);
    const rows = JSON.parse(dev.stdout) as Row[];
    assert.deepStrictEqual(
      rows.map((x) => `${x.policy} ${x.level}`),
      ["istio-peerauthentication-strict advisory"],
    );
  });

  it("--stack prod refuses a workload that breaks any Pod Security Standards control, naming the control", () => {
    // The secure fixture (restricted-compliant, exit 0 above) plus one copy of its frontend
    // Deployment per control, each broken for that control only.
    const dir = fs.mkdtempSync(path.join(tmp, "pss-"));
    const secure = path.join(FIXTURES, "secure");
    for (const f of fs.readdirSync(secure)) fs.copyFileSync(path.join(secure, f), path.join(dir, f));
    const frontend = find(fixtureManifests("secure"), "Deployment", "frontend");
    const checks = Object.keys(CASES) as PssCheckId[];
    const broken: K8sManifest[] = checks.map((check, i) => {
      const d = structuredClone(frontend);
      d.metadata.name = `frontend-${i}`;
      const mutate: Mutate = CASES[check].violating[0][1];
      mutate((d.spec as { template: Parameters<Mutate>[0] }).template);
      return d;
    });
    fs.writeFileSync(
      path.join(dir, "broken.json"),
      JSON.stringify({ apiVersion: "v1", kind: "List", items: broken }),
    );
    const r = cli("--stack", "prod", "--output", "json", dir);
    assert.strictEqual(r.code, 1, r.stderr);
    const rows = (JSON.parse(r.stdout) as Row[]).filter((x) => x.level === "mandatory");
    const ruleOf = new Map(pssPolicies().map((p) => [p.check as string, p.policy.name]));
    const pssRules = new Set(ruleOf.values());
    // Only the broken copies are refused, and only by PSS rules: each breakage alone exits 1.
    assert.deepStrictEqual(
      rows.filter((x) => !pssRules.has(x.policy) || !x.name.startsWith("frontend-")),
      [],
    );
    checks.forEach((check, i) => {
      const { title, level } = PSS_CONTROLS[check];
      const mine = rows.filter((x) => x.name === `frontend-${i}` && x.policy === ruleOf.get(check));
      assert.ok(
        mine.some((x) => x.message.includes(`(${level}, v1.34) control "${title}"`)),
        `${check}: ${JSON.stringify(rows.filter((x) => x.name === `frontend-${i}`))}`,
      );
    });
  });

  it("exits 2 naming the file for invalid YAML", () => {
    const f = path.join(tmp, "broken.yaml");
    fs.writeFileSync(f, "apiVersion: v1\nkind: [unclosed\n");
    const r = cli(f);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /^policy:check: \S*broken\.yaml: document 1: invalid YAML \(.+\)\n$/);
  });

  it("exits 2 for a document that is not a Kubernetes object", () => {
    const f = path.join(tmp, "notk8s.yaml");
    fs.writeFileSync(f, "kind: Service\nmetadata: {name: x}\n");
    const r = cli(f);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      /notk8s\.yaml: document 1: not a Kubernetes object \(apiVersion and kind must be strings, e\.g\. apiVersion: v1, kind: Service\)/,
    );
  });

  it("--tags runs only the rules with those tags; an unknown tag is exit 2 naming the accepted ones", () => {
    const insecure = path.join(FIXTURES, "insecure");
    const all = JSON.parse(cli("--output", "json", insecure).stdout) as Row[];
    assert.ok(new Set(all.map((v) => v.policy)).size > 5, "the insecure fixture breaks many rules");
    const r = cli("--tags", "cis:5.2.2,cis:5.3.2", "--output", "json", insecure);
    assert.strictEqual(r.code, 1, r.stderr);
    const rows = JSON.parse(r.stdout) as Row[];
    assert.deepStrictEqual(
      [...new Set(rows.map((v) => v.policy))].sort(),
      [...new Set(all.map((v) => v.policy))]
        .filter((p) =>
          [
            "kubernetes-pod-no-privileged",
            "kubernetes-namespace-default-deny",
            "kubernetes-workload-networkpolicy-coverage",
          ].includes(p),
        )
        .sort(),
    );
    assert.ok(rows.length > 0);
    const bad = cli("--tags", "cis:5.2.2,cis:9.9", insecure);
    assert.strictEqual(bad.code, 2);
    assert.match(
      bad.stderr,
      /--tags: unknown tag "cis:9\.9"; accepted: .*cis-kubernetes-benchmark.*nsa-cisa:network-policies/,
    );
    assert.strictEqual(bad.stdout, "");
  });

  it("exits 2 for a missing path, an unknown stack, an unknown option and no input", () => {
    const missing = cli(path.join(tmp, "nope"));
    assert.strictEqual(missing.code, 2);
    assert.match(missing.stderr, /nope: no such file or folder/);
    const stack = cli("--stack", "staging", path.join(FIXTURES, "secure"));
    assert.strictEqual(stack.code, 2);
    assert.match(stack.stderr, /--stack "staging" is not a stack; accepted: dev, prod, multi-cluster/);
    const opt = cli("--fast", path.join(FIXTURES, "secure"));
    assert.strictEqual(opt.code, 2);
    assert.match(opt.stderr, /unknown option --fast/);
    const none = cli();
    assert.strictEqual(none.code, 2);
    assert.match(none.stderr, /no files or folders given/);
    const empty = fs.mkdtempSync(path.join(tmp, "empty-"));
    const emptyRun = cli(empty);
    assert.strictEqual(emptyRun.code, 2);
    assert.match(emptyRun.stderr, /no Kubernetes objects found/);
  });
});
