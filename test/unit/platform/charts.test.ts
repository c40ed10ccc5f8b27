import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CHART_KEYS,
  DEFAULT_CHARTS,
  chartSource,
  mirrorVersionWarning,
  mirrorVersionWarnings,
} from "../../../lib/charts";
import { parsePlatformConfig } from "../../../lib/config";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { configProblems } from "../../support/config-problems";

/** A mirror with a Chart.yaml per given key and version. */
function mirrorWith(versions: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-mirror-"));
  for (const [key, version] of Object.entries(versions)) {
    fs.mkdirSync(path.join(dir, key));
    fs.writeFileSync(
      path.join(dir, key, "Chart.yaml"),
      `apiVersion: v2\nname: ${key}\nversion: ${version}\n`,
    );
  }
  return dir;
}

describe("chart sources: charts.mirror", () => {
  it("resolves a key to <mirror>/<key> when the stack has no override for it", () => {
    const mirror = mirrorWith({ cilium: "1.18.3" });
    assert.deepEqual(chartSource("cilium", { mirror }), { chart: path.join(mirror, "cilium") });
  });

  it("lets a per-key override win over the mirror", () => {
    const mirror = mirrorWith({ cilium: "1.18.3" });
    assert.deepEqual(chartSource("cilium", { mirror, cilium: { path: "/elsewhere" } }), {
      chart: "/elsewhere",
    });
  });

  it("falls back to the pinned upstream source without a mirror", () => {
    assert.deepEqual(chartSource("certManager", {}), DEFAULT_CHARTS.certManager);
  });

  it("names the mirror, the key and the expected file when the mirror lacks a chart", () => {
    const mirror = mirrorWith({});
    assert.throws(
      () => chartSource("kiali", { mirror }),
      new RegExp(`charts.mirror: ${mirror} has no chart for kiali \\(expected ${mirror}/kiali/Chart.yaml\\)`),
    );
  });

  it("warns when the mirror's version is not the pin, and keeps the pin", () => {
    const mirror = mirrorWith({ submarinerOperator: "0.19.0-rc3", cilium: "1.18.3", certManager: "1.19.1" });
    assert.equal(
      mirrorVersionWarning("submarinerOperator", { mirror }),
      `chart submarinerOperator: the mirror ${mirror} has version 0.19.0-rc3, not the pinned 0.21.0; installing 0.19.0-rc3`,
    );
    assert.equal(mirrorVersionWarning("cilium", { mirror }), undefined);
    // cert-manager's pin is v1.19.1; a leading v is not a different version.
    assert.equal(mirrorVersionWarning("certManager", { mirror }), undefined);
    assert.deepEqual(mirrorVersionWarnings({ mirror }).length, 1);
    assert.equal(DEFAULT_CHARTS.submarinerOperator.version, "0.21.0");
  });

  it("does not warn for a key the stack takes from elsewhere", () => {
    const mirror = mirrorWith({ submarinerOperator: "0.19.0-rc3" });
    assert.equal(
      mirrorVersionWarning("submarinerOperator", { mirror, submarinerOperator: { version: "0.21.0" } }),
      undefined,
    );
  });
});

describe("stack configuration: charts.mirror", () => {
  const dev = () => structuredClone(readRawPlatformConfig(stackFile("dev"))) as Record<string, unknown>;
  const problems = configProblems;

  it("accepts a mirror directory beside per-key overrides", () => {
    const raw = dev();
    const mirror = mirrorWith({ cilium: "1.18.3" });
    raw.charts = { mirror, kiali: { path: "/charts/kiali" } };
    const c = parsePlatformConfig(raw);
    assert.equal(c.charts.mirror, mirror);
    assert.deepEqual(c.charts.kiali, { path: "/charts/kiali" });
  });

  it("names charts.mirror when it is not a directory", () => {
    const raw = dev();
    raw.charts = { mirror: "/no/such/mirror" };
    assert.deepEqual(problems(raw), [
      "platform.charts.mirror: /no/such/mirror is not a directory (a folder with one unpacked chart per key, e.g. <mirror>/cilium/Chart.yaml)",
    ]);
  });

  it("rejects a key that is neither a chart key nor mirror", () => {
    const raw = dev();
    raw.charts = { mirrors: "/x" };
    assert.deepEqual(problems(raw), ['platform.charts: unknown key(s) "mirrors"']);
  });

  it("still validates every per-key override", () => {
    for (const key of CHART_KEYS) {
      const raw = dev();
      raw.charts = { [key]: { repo: "https://example.org" } };
      assert.deepEqual(problems(raw), [`platform.charts.${key}: unknown key(s) "repo"`]);
    }
  });
});
