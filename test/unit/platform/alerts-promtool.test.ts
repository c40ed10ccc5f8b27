/**
 * Every alert the program generates, evaluated by Prometheus' own rule engine: the
 * generated rules are written to a rule file, `promtool check rules` must accept it, and
 * `promtool test rules` runs a unit-test file generated per alert (test/unit/platform/
 * alert-scenarios.ts) that shows it firing when it should and staying quiet when it should
 * not. Without promtool the suite fails, naming `bash scripts/promtool.sh`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { PlatformConfig, parsePlatformConfig } from "../../../lib/config";
import { ResolvedApp, resolveApp } from "../../../lib/intent";
import { AlertRule, alertRuleGroups, ruleFile } from "../../../lib/alerts";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { promtool, promtoolBinary } from "../../support/promtool";
import { UnitTestFile, scenariosFor } from "./alert-scenarios";

type Raw = Record<string, unknown> & { observability?: Record<string, unknown> };

function variant(stack: string, patch?: (raw: Raw) => void): PlatformConfig {
  const raw = structuredClone(readRawPlatformConfig(stackFile(stack))) as Raw;
  patch?.(raw);
  return parsePlatformConfig(raw);
}

/** The stacks, and variants that reach the other branches (Hubble off, Calico with observability, other thresholds). */
const VARIANTS: Array<{ name: string; platform: () => PlatformConfig }> = [
  { name: "prod", platform: () => variant("prod") },
  {
    name: "prod, Hubble off",
    platform: () => variant("prod", (r) => void (r.observability = { ...r.observability, hubble: false })),
  },
  {
    name: "prod, other thresholds",
    platform: () =>
      variant("prod", (r) => {
        r.observability = {
          ...r.observability,
          alerts: {
            rateWindow: "2m",
            policyDrops: { packetsPerSecond: 3, for: "2m" },
            certificateExpiry: { warningDays: 30, criticalDays: 10, for: "5m" },
            plaintext: { requestsPerSecond: 2, for: "3m" },
            edges: { errorRatio: 0.2, latencyQuantile: 0.9, latencyMs: 3000, for: "3m" },
          },
        };
      }),
  },
  { name: "multi-cluster", platform: () => variant("multi-cluster") },
  {
    name: "dev, observability on",
    platform: () => variant("dev", (r) => void (r.observability = { enabled: true })),
  },
];

let tmp: string;

describe("generated alerts under promtool (check rules, test rules)", function () {
  this.timeout(120_000);

  before(() => {
    promtoolBinary(); // throws, failing the suite, when promtool is not built
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "netplat-alerts-"));
  });
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  for (const v of VARIANTS) {
    const platform = v.platform();
    const app = resolveApp(platform.app.spec);
    for (const cluster of platform.clusters) {
      describe(`${v.name} / ${cluster.name}`, () => {
        const groups = alertRuleGroups(platform, app, cluster.name);
        const rules = groups.flatMap((g) => g.rules);
        const dir = () => path.join(tmp, `${v.name}-${cluster.name}`.replace(/[^a-z0-9-]+/gi, "_"));
        const rulesPath = () => path.join(dir(), "rules.yaml");

        before(() => {
          fs.mkdirSync(dir(), { recursive: true });
          fs.writeFileSync(rulesPath(), stringify(ruleFile(groups)));
        });

        it("generates rules", () => assert.ok(rules.length > 0));

        it("promtool check rules accepts the generated rule file", () => {
          const r = promtool(["check", "rules", rulesPath()]);
          assert.equal(r.status, 0, r.output);
          assert.match(r.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
        });

        rules.forEach((rule, i) => {
          const what = rule.labels.edge ? `${rule.alert} (${rule.labels.edge})` : rule.alert;
          it(`${what} fires when it should and stays quiet when it should not`, () => {
            const file = path.join(dir(), `test-${i}-${rule.alert}.yaml`);
            writeUnitTest(file, rulesPath(), platform, app, rule);
            const r = promtool(["test", "rules", file]);
            assert.equal(r.status, 0, `${file}\n${r.output}`);
            assert.match(r.output, /SUCCESS/);
          });
        });
      });
    }
  }

  it("promtool test rules fails when an expectation is wrong (the harness can fail)", () => {
    const platform = variant("prod");
    const app = resolveApp(platform.app.spec);
    const groups = alertRuleGroups(platform, app, "prod");
    const dir = path.join(tmp, "wrong");
    fs.mkdirSync(dir, { recursive: true });
    const rules = path.join(dir, "rules.yaml");
    fs.writeFileSync(rules, stringify(ruleFile(groups)));
    const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === "AppEdgeErrorRate")!;
    const test = unitTest(rules, platform, app, rule);
    // Claim the 10%-errors scenario stays quiet.
    test.tests[0].alert_rule_test.forEach((t) => (t.exp_alerts = []));
    const file = path.join(dir, "test.yaml");
    fs.writeFileSync(file, stringify(test));
    const r = promtool(["test", "rules", file]);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /alertname: AppEdgeErrorRate/);
  });
});

function unitTest(rules: string, platform: PlatformConfig, app: ResolvedApp, rule: AlertRule): UnitTestFile {
  return { rule_files: [rules], evaluation_interval: "1m", tests: scenariosFor(platform, app, rule) };
}

function writeUnitTest(
  file: string,
  rules: string,
  platform: PlatformConfig,
  app: ResolvedApp,
  rule: AlertRule,
) {
  fs.writeFileSync(file, stringify(unitTest(rules, platform, app, rule)));
}
