/**
 * Render mode with the real add-on charts (the prepared mirror, .toolchain/charts, made by
 * `npm run charts:mirror`), against the local `render` cluster for the chart capabilities:
 *   - dev, prod and multi-cluster render byte-identical twice, in two fresh workspaces
 *     (nothing a chart generates at random or looks up ends up in a file);
 *   - every stack renders (`pulumi up` in render mode, policy pack enforced, exit 0) and its
 *     manifests pass `policy:check` with the stack's own pack config, each cluster's folder
 *     on its own;
 *   - no rendered file holds a value that came from a config secret: the workspace sets
 *     placeholders (broker token and CA, IPsec PSK, Grafana's password, Kiali's key), none
 *     of which may appear; the Secrets that hold them are written with the render placeholder.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { holdsPlaceholder } from "../../lib/render-secrets";
import { PLACEHOLDER_SECRETS, REPO, policyPackArgs, prepareWorkspace } from "../../scripts/lib/workspace";
import { preparedChartMirror } from "../support/charts";

interface Render {
  dir: string;
  /** Relative path -> file text. */
  files: Map<string, string>;
  output: string;
}

function render(stack: string): Render {
  // The shared mirror, prepared once per test process (as the other suites take it).
  const MIRROR = preparedChartMirror();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `netplat-render-${stack}-`));
  const ws = prepareWorkspace({ stack, root, fixtureCharts: false, chartMirror: MIRROR });
  const r = ws.pulumi(["up", "--yes", "--stack", stack, ...policyPackArgs(stack)], 1_800_000);
  const output = r.stdout + r.stderr;
  assert.equal(r.code, 0, `render of ${stack} failed:\n${output.slice(-6000)}`);
  const files = new Map<string, string>();
  for (const f of fs.readdirSync(ws.renderDir, { recursive: true }).map(String).sort()) {
    const full = path.join(ws.renderDir, f);
    if (fs.statSync(full).isFile()) files.set(f, fs.readFileSync(full, "utf8"));
  }
  return { dir: ws.renderDir, files, output };
}

function kinds(r: Render): Set<string> {
  const out = new Set<string>();
  for (const text of r.files.values()) {
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      if (o?.kind) out.add(`${o.kind}/${o.metadata?.name ?? ""}`);
    }
  }
  return out;
}

function policyCheck(stack: string, dir: string) {
  return spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "scripts/policy-check.ts", "--stack", stack, dir],
    { cwd: REPO, encoding: "utf8", timeout: 600_000 },
  );
}

/** Every file holding one of the workspace's secret placeholders, with which. */
function leaks(r: Render): string[] {
  const out: string[] = [];
  for (const [f, text] of r.files) {
    for (const [key, value] of Object.entries(PLACEHOLDER_SECRETS)) {
      const b64 = Buffer.from(value).toString("base64");
      // The CA is a certificate, not a credential: the Submariner resource keeps it.
      if (key === "submarinerBrokerCa") continue;
      if (text.includes(value) || text.includes(b64)) out.push(`${f}: ${key}`);
    }
  }
  return out;
}

/** What each stack must render: the real add-ons, not fixtures. */
const EXPECTED: Record<string, string[]> = {
  dev: ["Deployment/tigera-operator", "Deployment/istiod-1-27"],
  prod: [
    "DaemonSet/cilium",
    "Deployment/istiod-1-27",
    "Deployment/kps-grafana",
    "CronJob/hubble-generate-certs",
    // The chart's post-install certgen Job, which the v4 Chart never creates (Helm hooks are
    // disabled): the program makes it from the CronJob (lib/chart-hooks.ts).
    "Job/hubble-generate-certs",
    // The operator's admission webhook certificate, from cert-manager rather than hook Jobs.
    "Certificate/kps-admission",
  ],
  "multi-cluster": [
    "Deployment/tigera-operator",
    "DaemonSet/cilium",
    "Deployment/istiod-1-27",
    "Job/hubble-generate-certs",
    "Submariner/submariner",
  ],
};

describe("render mode with the real charts", () => {
  for (const stack of ["dev", "prod", "multi-cluster"]) {
    describe(`${stack}: two renders`, () => {
      let first: Render;
      let second: Render;
      before(function () {
        // Two renders: multi-cluster's (904 objects) takes ~11 min each on a loaded machine.
        this.timeout(3_600_000);
        first = render(stack);
        second = render(stack);
      });

      it("are byte-identical, file by file", () => {
        assert.deepEqual([...second.files.keys()], [...first.files.keys()], "the same files");
        const differing = [...first.files]
          .filter(([f, text]) => second.files.get(f) !== text)
          .map(([f]) => f);
        assert.deepEqual(differing, []);
        assert.ok(first.files.size > 100, `${first.files.size} files: the real add-ons, not fixtures`);
      });

      it("write the real add-ons", () => {
        const k = kinds(first);
        for (const e of EXPECTED[stack]) assert.ok(k.has(e), `${e} rendered`);
      });

      it("hold no secret value; the Secrets that carry one are written with placeholders", () => {
        assert.deepEqual(leaks(first), []);
        if (stack === "prod") {
          const withPlaceholder = [...first.files].filter(([, t]) => holdsPlaceholder(t)).map(([f]) => f);
          for (const name of ["grafana-admin", "kiali-signing-key"]) {
            assert.ok(
              withPlaceholder.some((f) => f.includes(name)),
              `${name} written with placeholders: ${withPlaceholder.join(", ")}`,
            );
          }
          assert.match(first.output, /not rendered: holds a secret: Secret monitoring\/grafana-admin/);
        }
        if (stack === "multi-cluster") {
          // The broker token and the PSK stay out of the Submariner resources: they name Secrets.
          const submariners = [...first.files].filter(([, t]) => /^kind: Submariner$/m.test(t));
          assert.equal(submariners.length, 2, "one Submariner resource per cluster");
          for (const [f, t] of submariners) {
            assert.match(t, /brokerK8sSecret: submariner-broker-secret/, f);
            assert.match(t, /ceIPSecPSKSecret: submariner-ipsec-psk/, f);
            assert.doesNotMatch(t, /brokerK8sApiServerToken|ceIPSecPSK:/, f);
          }
          const secrets = [...first.files].filter(
            ([f, t]) => holdsPlaceholder(t) && /submariner-(broker-secret|ipsec-psk)/.test(f),
          );
          assert.equal(secrets.length, 4, "broker and PSK Secrets of both joins, with placeholders");
        }
      });

      it("pass policy:check with the stack's own pack config, cluster by cluster", () => {
        // The whole render directory: policy:check finds render mode's per-cluster folders.
        const r = policyCheck(stack, first.dir);
        assert.equal(r.status, 0, `${first.dir}\n${r.stdout}\n${r.stderr}`);
        if (stack === "multi-cluster") assert.match(r.stderr, /clusters us-east-1, us-west-2\)/);
      });
    });
  }
});
