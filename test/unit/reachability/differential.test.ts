/**
 * Differential test: our analyser against np-guard's netpol-analyzer (built by
 * scripts/netpol-analyzer.sh) on the hand-written cases and on seeded random
 * clusters. Any difference fails, except those documented in docs/reachability.md
 * (D1..D4), each recognised here by its own rule.
 *
 * REACHABILITY_SEED=<n> changes the seed; REACHABILITY_CASES=<n> the number of
 * random clusters (default 400: 150 one per netpol-analyzer run, the rest batched 25
 * per run, namespaces prefixed per cluster).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadManifests } from "../../../policy-pack/manifests";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { STACK_NAMES, loadStackConfig } from "../../../lib/stack-file";
import { CASES } from "./cases";
import {
  diffRuns,
  REPO_ROOT,
  requireNetpolAnalyzer,
  runNetpolAnalyzer,
  runOurs,
  unexplained,
} from "./compare";
import { mulberry32, randomCluster } from "./generate";

const SEED = Number(process.env.REACHABILITY_SEED ?? 20250601);
const TOTAL = Number(process.env.REACHABILITY_CASES ?? 400);
const SINGLE = Math.min(TOTAL, 150);
const BATCH = 25;

function writeCase(dir: string, name: string, objects: unknown[]): void {
  fs.writeFileSync(
    path.join(dir, `${name}.yaml`),
    JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  );
}

describe("reachability vs netpol-analyzer (differential)", function () {
  this.timeout(600_000);
  let tmp: string;

  before(() => {
    requireNetpolAnalyzer(); // fails, naming the build command, when the binary is missing
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reach-diff-"));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("every documented difference is in docs/reachability.md", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/reachability.md"), "utf8");
    for (const c of CASES)
      if (c.knownDifference) assert.match(doc, new RegExp(`### ${c.knownDifference}\\b`));
    for (const id of ["D1", "D2", "D3", "D4"]) assert.match(doc, new RegExp(`### ${id}\\b`));
  });

  describe("hand-written cases", () => {
    for (const c of CASES) {
      it(c.name, () => {
        const dir = fs.mkdtempSync(path.join(tmp, "case-"));
        writeCase(dir, "case", c.objects);
        const theirs = runNetpolAnalyzer(dir);
        const ours = runOurs([dir]);
        const diffs = diffRuns(ours, theirs);
        if (c.knownDifference) {
          // The documented difference must still be there (else the doc is stale).
          assert.notDeepStrictEqual(
            diffs,
            [],
            `${c.knownDifference} no longer differs: update docs/reachability.md`,
          );
          if (c.knownDifference === "D1") {
            assert.deepStrictEqual(unexplained(dir, c.objects), []);
          }
        } else {
          assert.deepStrictEqual(diffs, []);
        }
      });
    }
  });

  it(`${SINGLE} random clusters, one netpol-analyzer run each (seed ${SEED})`, () => {
    const rand = mulberry32(SEED);
    const failures: string[] = [];
    for (let i = 0; i < SINGLE; i++) {
      const dir = path.join(tmp, `single-${i}`);
      fs.mkdirSync(dir);
      const objects = randomCluster(rand, { prefix: `c${i}-` });
      writeCase(dir, `c${i}`, objects);
      const u = unexplained(dir, objects);
      if (u.length)
        failures.push(`cluster ${i} (seed ${SEED}, kept in ${dir}):\n    ${u.slice(0, 10).join("\n    ")}`);
      else fs.rmSync(dir, { recursive: true });
    }
    if (failures.length) tmp = ""; // keep the inputs for a look
    assert.deepStrictEqual(failures, []);
  });

  it(`${Math.max(0, TOTAL - SINGLE)} random clusters, ${BATCH} per netpol-analyzer run (seed ${SEED + 1})`, () => {
    const rand = mulberry32(SEED + 1);
    const failures: string[] = [];
    for (let b = 0; b * BATCH < TOTAL - SINGLE; b++) {
      const dir = path.join(tmp, `batch-${b}`);
      fs.mkdirSync(dir);
      const all: unknown[] = [];
      for (let j = 0; j < BATCH && b * BATCH + j < TOTAL - SINGLE; j++) {
        const objects = randomCluster(rand, { prefix: `b${b}c${j}-` });
        writeCase(dir, `c${j}`, objects);
        all.push(...objects);
      }
      const u = unexplained(dir, all);
      if (u.length)
        failures.push(`batch ${b} (seed ${SEED + 1}, kept in ${dir}):\n    ${u.slice(0, 10).join("\n    ")}`);
      else fs.rmSync(dir, { recursive: true });
    }
    if (failures.length) tmp = "";
    assert.deepStrictEqual(failures, []);
  });

  for (const stack of STACK_NAMES) {
    it(`every cluster of stack ${stack}: the app's compiled policies and workloads`, () => {
      const platform = loadStackConfig(stack);
      const app = resolveApp(platform.app.spec);
      for (const cluster of platform.clusters) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `reach-${stack}-${cluster.name}-`));
        clusterPlanObjects(planCluster(platform, app, cluster.name)).forEach((o, i) =>
          // JSON: netpol-analyzer reads YAML 1.1, where some plain scalars change type.
          fs.writeFileSync(path.join(dir, `${String(i).padStart(3, "0")}.json`), JSON.stringify(o)),
        );
        assert.deepStrictEqual(
          unexplained(
            dir,
            loadManifests([dir]).map((l) => l.manifest),
          ),
          [],
          `differs from netpol-analyzer on ${stack}/${cluster.name}`,
        );
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
