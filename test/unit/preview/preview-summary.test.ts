import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import {
  code,
  inline,
  parsePreviewOutput,
  PreviewParseError,
  renderMarkdown,
  splitUrn,
  verdict,
  type PreviewResult,
} from "../../../scripts/lib/preview-summary";

const ROOT = path.join(__dirname, "..", "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "preview");
const TS_NODE = path.join(ROOT, "node_modules", "ts-node", "dist", "bin.js");

/** Real `pulumi preview --json` outputs (v3.248.0), trimmed; see test/fixtures/preview/README.md. */
const fixture = (name: string) => path.join(FIXTURES, name);
const load = (name: string): PreviewResult => parsePreviewOutput(fs.readFileSync(fixture(name), "utf8"));

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(
    process.execPath,
    [TS_NODE, "--transpile-only", "scripts/preview-summary.ts", ...args],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const byLevel = (r: PreviewResult) =>
  r.violations.reduce<Record<string, number>>(
    (acc, v) => ({ ...acc, [v.level]: (acc[v.level] ?? 0) + 1 }),
    {},
  );
const ops = (r: PreviewResult) => r.steps.map((s) => `${s.op} ${s.urn}`).sort();

describe("preview summary: parsing real pulumi preview --json output", () => {
  describe("dev, empty state: creates only", () => {
    for (const file of ["dev-create.events.jsonl", "dev-create.digest.json"]) {
      it(`${file}: 77 creates, succeeded`, () => {
        const r = load(file);
        assert.deepStrictEqual(r.counts, { create: 77 });
        assert.strictEqual(r.steps.length, 77);
        assert.ok(r.steps.every((s) => s.op === "create"));
        assert.deepStrictEqual(r.diagnostics, []);
        assert.deepStrictEqual(verdict(r), { failed: false, reasons: [] });
        const ns = r.steps.find((s) => s.name === "dev-namespace-shop");
        assert.strictEqual(ns?.type, "kubernetes:core/v1:Namespace");
      });
    }

    it("the event stream has the advisory violations, the digest has no policy events", () => {
      const events = load("dev-create.events.jsonl");
      assert.strictEqual(events.format, "events");
      assert.strictEqual(events.result, "succeeded");
      assert.deepStrictEqual(byLevel(events), { advisory: 5 });
      assert.ok(events.violations.every((v) => v.policy === "kubernetes-pod-image-digest"));
      const digest = load("dev-create.digest.json");
      assert.strictEqual(digest.format, "digest");
      assert.strictEqual(digest.policyEventsIncluded, false);
      assert.deepStrictEqual(digest.violations, []);
      assert.deepStrictEqual(ops(digest), ops(events));
    });
  });

  describe("prod with frontend image :latest: a mandatory violation", () => {
    it("events: the violations grouped by level, with policy, resource and message", () => {
      const r = load("prod-mandatory.events.jsonl");
      assert.deepStrictEqual(r.counts, { create: 99 });
      assert.strictEqual(r.result, "failed");
      assert.deepStrictEqual(byLevel(r), { mandatory: 1, advisory: 5 });
      const [m] = r.violations.filter((v) => v.level === "mandatory");
      assert.strictEqual(m.policy, "kubernetes-pod-image-pinned");
      assert.strictEqual(m.pack, "k8s-netplat");
      assert.strictEqual(m.severity, "high");
      assert.strictEqual(m.name, "prod-shop-deployment-frontend");
      assert.strictEqual(m.type, "kubernetes:apps/v1:Deployment");
      assert.match(
        m.urn!,
        /^urn:pulumi:prod::k8s-netplat::.*\$kubernetes:apps\/v1:Deployment::prod-shop-deployment-frontend$/,
      );
      assert.match(m.message, /image "ghcr\.io\/example\/frontend:latest" uses the floating tag :latest/);
      assert.deepStrictEqual(verdict(r), {
        failed: true,
        reasons: ["1 error diagnostic(s)", 'engine result "failed"', "1 mandatory policy violation(s)"],
      });
    });

    it("digest: only the error diagnostic shows the failure", () => {
      const r = load("prod-mandatory.digest.json");
      assert.deepStrictEqual(r.counts, { create: 99 });
      assert.deepStrictEqual(r.diagnostics, [
        { severity: "error", message: "preview failed", urn: undefined },
      ]);
      assert.deepStrictEqual(verdict(r), { failed: true, reasons: ["1 error diagnostic(s)"] });
    });

    it("Markdown: failure line, mandatory before advisory, URN and message", () => {
      const md = renderMarkdown(load("prod-mandatory.events.jsonl"), { stack: "prod", exitCode: 1 });
      const lines = md.split("\n");
      assert.strictEqual(lines[0], "### Pulumi preview: `prod` ❌ failed");
      assert.ok(
        md.includes(
          "**Preview failed:** pulumi exited with code 1; 1 error diagnostic(s); " +
            'engine result "failed"; 1 mandatory policy violation(s).',
        ),
        md,
      );
      assert.ok(md.includes("| create | 99 |"), md);
      assert.ok(md.includes("#### Policy violations (6)"), md);
      const mandatory = lines.indexOf("##### mandatory (1)");
      const advisory = lines.indexOf("##### advisory (5)");
      assert.ok(mandatory > 0 && advisory > mandatory, md);
      const entry = lines[mandatory + 2];
      assert.match(
        entry,
        /^- \*\*kubernetes-pod-image-pinned\*\* \(high\) on `kubernetes:apps\/v1:Deployment` \*\*prod-shop-deployment-frontend\*\*: /,
      );
      assert.ok(
        entry.includes('image "ghcr.io/example/frontend:latest" uses the floating tag :latest'),
        entry,
      );
      assert.ok(entry.includes("<sub>`urn:pulumi:prod::k8s-netplat::"), entry);
    });
  });

  describe("dev after up, then replicas 2, orders image bumped, payment moved to namespace shop-pci", () => {
    const counts = { create: 12, delete: 7, replace: 1, same: 63, update: 6 };
    for (const file of ["dev-update-replace.events.jsonl", "dev-update-replace.digest.json"]) {
      it(`${file}: counts, the replace and its reason, updates with their properties`, () => {
        const r = load(file);
        assert.deepStrictEqual(r.counts, counts);
        assert.deepStrictEqual(verdict(r).failed, false);
        const replaces = r.steps.filter((s) => s.op === "replace");
        assert.strictEqual(
          replaces.length,
          1,
          "create-replacement and delete-replaced fold into one replace",
        );
        assert.strictEqual(replaces[0].type, "kubernetes:core/v1:ConfigMap");
        assert.strictEqual(replaces[0].name, "dev-shop-configmap-traffic-intent");
        assert.deepStrictEqual(replaces[0].replaceReasons, ['data["intent.json"]']);
        assert.strictEqual(r.steps.filter((s) => s.op === "update").length, 6);
        assert.strictEqual(r.steps.filter((s) => s.op === "delete").length, 7);
        assert.strictEqual(r.steps.filter((s) => s.op === "create").length, 12);
        const orders = r.steps.find((s) => s.op === "update" && s.name === "dev-shop-deployment-orders");
        assert.deepStrictEqual(orders?.changedProperties, [
          "metadata.labels.version",
          "spec.replicas",
          "spec.template.metadata.labels.version",
          "spec.template.spec.containers[0].image",
        ]);
        assert.ok(r.steps.some((s) => s.op === "delete" && s.name === "dev-shop-deployment-payment"));
      });
    }

    it("both shapes list the same steps", () => {
      assert.deepStrictEqual(
        ops(load("dev-update-replace.digest.json")),
        ops(load("dev-update-replace.events.jsonl")),
      );
    });

    it("Markdown: counts table and the property that forces the replacement", () => {
      const md = renderMarkdown(load("dev-update-replace.events.jsonl"), { stack: "dev", exitCode: 0 });
      assert.ok(md.startsWith("### Pulumi preview: `dev` ✅ succeeded\n"), md);
      assert.ok(!md.includes("Preview failed"), md);
      const table = [
        "| Operation | Resources |",
        "| --- | ---: |",
        "| create | 12 |",
        "| update | 6 |",
        "| replace | 1 |",
        "| delete | 7 |",
        "| unchanged | 63 |",
      ].join("\n");
      assert.ok(md.includes(table), md);
      assert.ok(
        md.includes(
          '#### Replaces (1)\n\n- `kubernetes:core/v1:ConfigMap` **dev-shop-configmap-traffic-intent**: replaced because of `data["intent.json"]`\n',
        ),
        md,
      );
      assert.ok(md.includes("#### Deletes (7)"), md);
      assert.ok(md.includes("**dev-shop-deployment-frontend**: `spec.replicas`"), md);
      assert.ok(md.includes("<details><summary>Creates (12)</summary>"), md);
    });
  });

  describe("a failed preview: provider error (context with renderYamlToDirectory)", () => {
    for (const file of ["dev-provider-error.events.jsonl", "dev-provider-error.digest.json"]) {
      it(`${file}: failed with the provider's error`, () => {
        const r = load(file);
        const v = verdict(r);
        assert.strictEqual(v.failed, true);
        assert.ok(v.reasons.includes("1 error diagnostic(s)"), v.reasons.join());
        const [err] = r.diagnostics;
        assert.strictEqual(err.severity, "error");
        assert.strictEqual(err.urn, "urn:pulumi:dev::k8s-netplat::pulumi:providers:kubernetes::dev");
        assert.match(err.message, /"context" arg is not compatible with "renderYamlToDirectory" arg/);
        const md = renderMarkdown(r, { stack: "dev" });
        assert.ok(
          md.includes("#### Errors (1)\n\n- `pulumi:providers:kubernetes` **dev**: pulumi:providers"),
          md,
        );
      });
    }
  });

  describe("connectivity: real previews after `pulumi up` (capture-preview-fixtures.ts)", () => {
    const exitOf = (name: string) => Number(fs.readFileSync(fixture(`${name}.exit`), "utf8"));
    const changes = (r: PreviewResult) => {
      assert.ok(r.connectivity.available, JSON.stringify(r.connectivity));
      return r.connectivity.clusters.map((c) => ({
        cluster: c.cluster,
        error: c.error,
        changes: c.changes.map(
          (x) => `${x.change} ${x.srcName} → ${x.dstName} ${x.conn.toString()} (${x.verdict})`,
        ),
      }));
    };
    const md = (name: string) =>
      renderMarkdown(load(`${name}.events.jsonl`), { stack: "prod", exitCode: exitOf(name) });

    it("an edge added to the intent: opens frontend → payment TCP 8080, intended, at the top", () => {
      const r = load("prod-add-edge.events.jsonl");
      assert.deepStrictEqual(changes(r), [
        { cluster: "prod", error: undefined, changes: ["opens frontend → payment TCP 8080 (intended)"] },
      ]);
      assert.deepStrictEqual(verdict(r, exitOf("prod-add-edge")), { failed: false, reasons: [] });
      const text = md("prod-add-edge");
      const table = [
        "#### Connectivity",
        "",
        "Cluster `prod`: 1 change(s)",
        "",
        "| change | path | connections | verdict |",
        "| --- | --- | --- | --- |",
        "| opens | frontend → payment | TCP 8080 | ✅ intended |",
      ].join("\n");
      assert.ok(text.includes(table), text);
      assert.ok(text.indexOf("#### Connectivity") < text.indexOf("| Operation | Resources |"), text);
    });

    it("an edge removed from the intent: closes orders → events TCP 9092, intended", () => {
      const r = load("prod-remove-edge.events.jsonl");
      assert.deepStrictEqual(changes(r), [
        { cluster: "prod", error: undefined, changes: ["closes orders → events TCP 9092 (intended)"] },
      ]);
      assert.strictEqual(verdict(r, exitOf("prod-remove-edge")).failed, false);
      assert.ok(md("prod-remove-edge").includes("| closes | orders → events | TCP 9092 | ✅ intended |"));
    });

    it("a change without connectivity effect (an image) says so in one line", () => {
      const r = load("prod-no-connectivity-change.events.jsonl");
      assert.deepStrictEqual(changes(r), [{ cluster: "prod", error: undefined, changes: [] }]);
      assert.ok(r.steps.some((s) => s.op === "update" && s.name === "prod-shop-deployment-orders"));
      const text = md("prod-no-connectivity-change");
      assert.strictEqual(text.split("\n")[2], "**Connectivity:** no change (cluster `prod`).", text);
      assert.ok(!text.includes("#### Connectivity"), text);
    });

    it("a NetworkPolicy widened outside the intent: the unintended path fails the summary, named", () => {
      const r = load("prod-unintended-port.events.jsonl");
      assert.deepStrictEqual(changes(r), [
        {
          cluster: "prod",
          error: undefined,
          changes: ["opens frontend → orders TCP 8081-8090 (unintended)"],
        },
      ]);
      const v = verdict(r, exitOf("prod-unintended-port"));
      assert.strictEqual(v.failed, true);
      assert.ok(
        v.reasons.includes("cluster prod opens an unintended path: frontend → orders TCP 8081-8090"),
        v.reasons.join("\n"),
      );
      // The pack, run by the same preview, says the same of the same flow.
      const pack = r.violations.filter((x) => x.policy === "reachability-matches-intent");
      assert.ok(
        pack.some((x) => /frontend.*orders.*TCP 8081-8090/.test(x.message)),
        JSON.stringify(pack),
      );
      const text = md("prod-unintended-port");
      assert.ok(text.includes("| opens | frontend → orders | TCP 8081-8090 | ❌ unintended |"), text);
      assert.ok(
        text.includes("cluster prod opens an unintended path: frontend → orders TCP 8081-8090"),
        text,
      );
    });

    it("multi-cluster: one section per cluster; the cross-cluster edge opens in us-east-1 only", () => {
      const r = load("multi-cluster-add-edge.events.jsonl");
      assert.deepStrictEqual(changes(r), [
        {
          cluster: "us-east-1",
          error: undefined,
          changes: ["opens frontend → payment@remote-service TCP 8080 (intended)"],
        },
        // payment's ingress already admits us-east-1's pod range on 8080 (for orders).
        { cluster: "us-west-2", error: undefined, changes: [] },
      ]);
      const text = renderMarkdown(r, { stack: "multi-cluster", exitCode: exitOf("multi-cluster-add-edge") });
      assert.ok(
        text.includes("| opens | frontend → payment@remote-service | TCP 8080 | ✅ intended |"),
        text,
      );
      assert.ok(text.includes("No connectivity change in `us-west-2`."), text);
    });

    it("older captures without states, and the digest, say connectivity is not available", () => {
      for (const file of ["dev-update-replace.events.jsonl", "dev-create.events.jsonl"]) {
        const r = load(file);
        assert.deepStrictEqual(r.connectivity, {
          available: false,
          reason: "the preview output carries no resource inputs (old and new states)",
        });
        assert.ok(renderMarkdown(r, { stack: "dev" }).includes("**Connectivity:** not available: "));
      }
      const digest = load("prod-mandatory.digest.json");
      assert.strictEqual(digest.connectivity.available, false);
      assert.match(
        renderMarkdown(digest, { stack: "prod" }),
        /\*\*Connectivity:\*\* not available: the `pulumi preview --json` digest lists only changed resources/,
      );
    });
  });

  describe("edge cases", () => {
    it("rejects what is not preview output", () => {
      assert.throws(() => parsePreviewOutput(""), PreviewParseError);
      assert.throws(() => parsePreviewOutput("error: no stack named 'x' found"), PreviewParseError);
      assert.throws(() => parsePreviewOutput('{"hello": 1}'), PreviewParseError);
      assert.throws(() => parsePreviewOutput('{"a":1}\n{"b":2}'), PreviewParseError);
    });

    it("a non-zero exit fails even when the output looks clean; no output fails", () => {
      const r = load("dev-create.events.jsonl");
      assert.deepStrictEqual(verdict(r, 255), { failed: true, reasons: ["pulumi exited with code 255"] });
      assert.deepStrictEqual(verdict(undefined, 0), {
        failed: true,
        reasons: ["no readable preview output"],
      });
      const md = renderMarkdown(undefined, {
        stack: "dev",
        exitCode: 6,
        stderr: "error: no stack named 'dev' found\n",
      });
      assert.ok(
        md.includes("**Preview failed:** pulumi exited with code 6; no readable preview output."),
        md,
      );
      assert.ok(md.includes("error: no stack named 'dev' found"), md);
    });

    it("URNs, inline code and escaping", () => {
      assert.deepStrictEqual(
        splitUrn("urn:pulumi:dev::p::a:b:C$kubernetes:core/v1:ConfigMap::chart:ns/name"),
        { type: "kubernetes:core/v1:ConfigMap", name: "chart:ns/name" },
      );
      assert.strictEqual(code("a`b"), "`` a`b ``");
      assert.strictEqual(code("plain"), "`plain`");
      assert.strictEqual(inline("a <b>\n| *c*"), "a \\<b\\> \\| \\*c\\*");
    });

    it("lists are capped with a count of the rest", () => {
      const md = renderMarkdown(load("dev-create.events.jsonl"), { stack: "dev", maxItems: 3 });
      assert.ok(md.includes("- … and 74 more"), md);
    });
  });
});

describe("preview:summary CLI (child process)", function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preview-summary-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("--from-json: exit 0 for a successful preview, Markdown on stdout", () => {
    const r = cli(["--stack", "dev", "--from-json", fixture("dev-update-replace.events.jsonl")]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith("### Pulumi preview: `dev` ✅ succeeded"), r.stdout);
  });

  it("--from-json: exit 1 for a mandatory violation and for a failed preview", () => {
    for (const f of [
      "prod-mandatory.events.jsonl",
      "prod-mandatory.digest.json",
      "dev-provider-error.events.jsonl",
    ]) {
      const r = cli(["--stack", "prod", "--from-json", fixture(f)]);
      assert.strictEqual(r.code, 1, `${f}: ${r.stderr}`);
      assert.ok(r.stdout.includes("**Preview failed:**"), r.stdout);
    }
  });

  it("--from-json: the connectivity table first; exit 1 on an unintended path, 0 on an intended one", () => {
    const added = cli(["--stack", "prod", "--from-json", fixture("prod-add-edge.events.jsonl")]);
    assert.strictEqual(added.code, 0, added.stderr);
    assert.ok(added.stdout.includes("| opens | frontend → payment | TCP 8080 | ✅ intended |"), added.stdout);
    const widened = cli(["--stack", "prod", "--from-json", fixture("prod-unintended-port.events.jsonl")]);
    assert.strictEqual(widened.code, 1, widened.stderr);
    assert.ok(
      widened.stdout.includes("opens an unintended path: frontend → orders TCP 8081-8090"),
      widened.stdout,
    );
  });

  it("exit 2 for bad arguments and unreadable --from-json input", () => {
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, "not json\n");
    for (const args of [
      [],
      ["--stack"],
      ["--stack", "dev", "--frobnicate"],
      ["--stack", "dev", "extra"],
      ["--stack", "no-such-stack"],
      ["--stack", "dev", "--from-json", path.join(tmp, "missing.json")],
      ["--stack", "dev", "--from-json", bad],
    ]) {
      const r = cli(args);
      assert.strictEqual(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.strictEqual(r.stdout, "");
    }
  });

  it("runs pulumi with the stack's policy config and maps its exit code (stand-in pulumi)", () => {
    const fake = path.join(tmp, "pulumi");
    const argsFile = path.join(tmp, "args");
    const save = path.join(tmp, "saved.jsonl");
    fs.writeFileSync(
      fake,
      `#!/bin/sh\necho "$PULUMI_ENABLE_STREAMING_JSON_PREVIEW $*" > "${argsFile}"\ncat "$FAKE_OUTPUT"\nexit "$FAKE_CODE"\n`,
      { mode: 0o755 },
    );
    const run = (output: string, exitCode: number) =>
      cli(["--stack", "prod", "--save-json", save], {
        PULUMI_BIN: fake,
        FAKE_OUTPUT: fixture(output),
        FAKE_CODE: String(exitCode),
      });

    const ok = run("dev-update-replace.events.jsonl", 0);
    assert.strictEqual(ok.code, 0, ok.stderr);
    assert.strictEqual(
      fs.readFileSync(argsFile, "utf8").trim(),
      "true preview --stack prod --json --policy-pack policy-pack --policy-pack-config policy-pack/config/prod.json",
    );
    assert.strictEqual(
      fs.readFileSync(save, "utf8"),
      fs.readFileSync(fixture("dev-update-replace.events.jsonl"), "utf8"),
    );

    const failed = run("prod-mandatory.events.jsonl", 1);
    assert.strictEqual(failed.code, 1);
    assert.ok(failed.stdout.includes("pulumi exited with code 1"), failed.stdout);

    const nonZero = run("dev-create.events.jsonl", 3);
    assert.strictEqual(nonZero.code, 1, "a non-zero pulumi exit is a failure even with clean output");
  });

  it("--charts: previews a copy of the stack file with charts.mirror set, warning about version gaps", () => {
    const fake = path.join(tmp, "pulumi-charts");
    const argsFile = path.join(tmp, "args-charts");
    const captured = path.join(tmp, "captured-stack.yaml");
    // The stand-in keeps a copy of the stack file it was given (the CLI removes its temp copy).
    fs.writeFileSync(
      fake,
      `#!/bin/sh\necho "$*" > "${argsFile}"\n` +
        `while [ $# -gt 0 ]; do [ "$1" = --config-file ] && cp "$2" "${captured}"; shift; done\n` +
        `cat "$FAKE_OUTPUT"\n`,
      { mode: 0o755 },
    );
    const mirror = path.join(tmp, "mirror");
    fs.mkdirSync(path.join(mirror, "submarinerOperator"), { recursive: true });
    fs.writeFileSync(
      path.join(mirror, "submarinerOperator", "Chart.yaml"),
      "apiVersion: v2\nname: submariner-operator\nversion: 0.19.0-rc3\n",
    );
    const committed = fs.readFileSync(stackFile("prod"), "utf8");
    const r = cli(["--stack", "prod", "--charts", mirror], {
      PULUMI_BIN: fake,
      FAKE_OUTPUT: fixture("dev-update-replace.events.jsonl"),
    });
    assert.strictEqual(r.code, 0, r.stderr);
    const argv = fs.readFileSync(argsFile, "utf8").trim().split(" ");
    const configFile = argv[argv.indexOf("--config-file") + 1];
    assert.ok(argv.includes("--config-file") && configFile !== stackFile("prod"), argv.join(" "));
    assert.ok(!fs.existsSync(configFile), "the temporary stack file is removed afterwards");
    const platform = readRawPlatformConfig(captured) as { charts: unknown; environment: string };
    assert.deepStrictEqual(platform.charts, { mirror });
    assert.strictEqual(platform.environment, "prod");
    assert.strictEqual(
      fs.readFileSync(stackFile("prod"), "utf8"),
      committed,
      "the stack file is not touched",
    );
    assert.match(
      r.stderr,
      /warning: chart submarinerOperator: .* has version 0.19.0-rc3, not the pinned 0.21.0/,
    );

    const missing = cli(["--stack", "prod", "--charts", path.join(tmp, "no-mirror")], { PULUMI_BIN: fake });
    assert.strictEqual(missing.code, 2);
    assert.match(missing.stderr, /--charts .*no-mirror: not a directory/);
  });
});
