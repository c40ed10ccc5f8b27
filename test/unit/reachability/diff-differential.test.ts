/**
 * Differential test of the connectivity diff: `reachability diff` against np-guard's
 * netpol-analyzer `diff --dir1 --dir2` (built by scripts/netpol-analyzer.sh) on the
 * hand-written diff cases, on each hand-written `list` case against one random change
 * of it, on the stacks' clusters with an edge added and one removed, and on seeded
 * random clusters (generate.ts) with one random change (mutate.ts). Any difference
 * fails except those docs/reachability.md names (D1: a pair netpol-analyzer mis-computes
 * on either side). Fails, never skips, without the binary.
 *
 * REACHABILITY_SEED=<n> changes the seed; REACHABILITY_DIFF_CASES=<n> the number of random
 * pairs (default 300: 100 one per netpol-analyzer run, the rest batched 25 per run).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { loadStackConfig, STACK_NAMES } from "../../../lib/stack-file";
import { analyse, EXTERNAL_SUFFIX, type Reachability } from "../../../policy-pack/reachability";
import { diffManifests, formatDiffText } from "../../../policy-pack/reachability/diff";
import { parseCidr } from "../../../policy-pack/reachability/ipv4";
import { CASES } from "./cases";
import { isD1, requireNetpolAnalyzer, stripExternal } from "./compare";
import { DIFF_CASES } from "./diff-cases";
import { mulberry32, randomCluster } from "./generate";
import { mutate } from "./mutate";

const SEED = Number(process.env.REACHABILITY_SEED ?? 20250601) + 7;
const TOTAL = Number(process.env.REACHABILITY_DIFF_CASES ?? 300);
const SINGLE = Math.min(TOTAL, 100);
const BATCH = 25;

type Obj = Record<string, unknown>;

interface DiffRun {
  lines: string[];
  error?: string;
}

function writeSide(dir: string, objects: unknown[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "all.json"),
    JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  );
}

function theirDiff(dir1: string, dir2: string): DiffRun {
  const r = spawnSync(requireNetpolAnalyzer(), ["diff", "--dir1", dir1, "--dir2", dir2], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    timeout: 600_000,
  });
  if (r.error) throw new Error(`netpol-analyzer: ${r.error.message}`);
  const lines = r.stdout.split("\n").filter((l) => l !== "" && l !== "Connectivity diff:");
  const errors = r.stderr.split("\n").filter((l) => /\berror\b/i.test(l));
  if (r.status !== 0 || errors.length)
    return { lines, error: errors.join("\n") || r.stderr.trim() || `exit ${r.status}` };
  return { lines };
}

function ourDiff(before: unknown[], after: unknown[]): DiffRun {
  try {
    return {
      lines: formatDiffText(diffManifests(before, after))
        .split("\n")
        .filter((l) => l !== "" && l !== "Connectivity diff:")
        .map(stripExternal),
    };
  } catch (e) {
    return { lines: [], error: (e as Error).message };
  }
}

const LINE =
  /^diff-type: (\w+), source: (.*?), destination: (.*?), dir1: (.*?), dir2: (.*?)(?:, workloads-diff-info: (.*))?$/;

/** Analyser peer ids (on one side) that a diff line's peer covers: itself, or the external ranges it overlaps. */
function peersOf(r: Reachability, id: string, role: "src" | "dst"): string[] {
  const m = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/.exec(id);
  if (!m) return r.workload(id) ? [id] : [];
  const lo = parseCidr(`${m[1]}/32`)[0];
  const hi = parseCidr(`${m[2]}/32`)[0];
  return (role === "src" ? r.srcExternal : r.dstExternal)
    .filter((e) => e.range[0] <= hi && lo <= e.range[1])
    .map((e) => e.id.split(EXTERNAL_SUFFIX).join(""));
}

/** D1 (docs/reachability.md) explains a line when netpol-analyzer mis-computes the pair on either side. */
function explainedByD1(line: string, sides: { objects: unknown[]; r: Reachability }[]): boolean {
  const m = LINE.exec(line);
  if (!m) return false;
  return sides.some(({ objects, r }) =>
    peersOf(r, m[2], "src").some((src) =>
      peersOf(r, m[3], "dst").some((dst) => {
        try {
          return isD1(objects, { src, dst, ours: undefined!, theirs: undefined! });
        } catch {
          return false;
        }
      }),
    ),
  );
}

/** Differences between the tools' diffs beyond the documented ones; empty when they agree. */
function unexplained(tmp: string, before: Obj[], after: Obj[]): string[] {
  const d1 = path.join(tmp, "dir1");
  const d2 = path.join(tmp, "dir2");
  writeSide(d1, before);
  writeSide(d2, after);
  const theirs = theirDiff(d1, d2);
  const ours = ourDiff(before, after);
  if (ours.error || theirs.error) {
    if (ours.error && theirs.error) return [];
    return [`ours: ${ours.error ?? "accepted"}`, `netpol-analyzer: ${theirs.error ?? "accepted"}`];
  }
  const a = new Set(ours.lines);
  const b = new Set(theirs.lines);
  const sides = [
    { objects: before as unknown[], r: analyse(before) },
    { objects: after as unknown[], r: analyse(after) },
  ];
  return [
    ...ours.lines.filter((l) => !b.has(l)).map((l) => ["ours", l]),
    ...theirs.lines.filter((l) => !a.has(l)).map((l) => ["netpol-analyzer", l]),
  ]
    .filter(([, l]) => !explainedByD1(l, sides))
    .map(([who, l]) => `${who}: ${l}`);
}

describe("reachability diff vs netpol-analyzer diff (differential)", function () {
  this.timeout(900_000);
  let tmp: string;
  let keep = false; // a failing case keeps its inputs for a look

  before(() => {
    requireNetpolAnalyzer(); // fails, naming the build command, when the binary is missing
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reach-diffdiff-"));
  });
  after(() => {
    if (tmp && !keep) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("hand-written diff cases: the same lines", () => {
    for (const [i, c] of DIFF_CASES.entries()) {
      it(c.name, () => {
        const dir = path.join(tmp, `case-${i}`);
        writeSide(path.join(dir, "dir1"), c.before);
        writeSide(path.join(dir, "dir2"), c.after);
        const theirs = theirDiff(path.join(dir, "dir1"), path.join(dir, "dir2"));
        assert.strictEqual(theirs.error, undefined);
        assert.deepStrictEqual(theirs.lines, c.lines.map(stripExternal));
      });
    }
  });

  it("each hand-written list case against one random change of it", () => {
    const rand = mulberry32(SEED);
    const failures: string[] = [];
    CASES.filter((c) => !c.error && !c.knownDifference).forEach((c, i) => {
      const { objects: after, what } = mutate(rand, c.objects);
      const u = unexplained(path.join(tmp, `list-${i}`), c.objects, after);
      if (u.length) failures.push(`${c.name} (${what}):\n    ${u.slice(0, 10).join("\n    ")}`);
    });
    assert.deepStrictEqual(failures, []);
  });

  for (const stack of STACK_NAMES) {
    it(`every cluster of stack ${stack}: an edge added (frontend -> payment) and one removed`, () => {
      const platform = loadStackConfig(stack);
      const spec = platform.app.spec;
      const plan = (edges: string[]) => {
        const app = resolveApp({ ...spec, edges });
        return platform.clusters.map((c) => clusterPlanObjects(planCluster(platform, app, c.name)) as Obj[]);
      };
      const base = plan(spec.edges);
      const changes = {
        added: plan([...spec.edges, "frontend -> payment:8080"]),
        removed: plan(spec.edges.filter((e) => !e.startsWith("orders -> payment"))),
      };
      const failures: string[] = [];
      for (const [what, after] of Object.entries(changes)) {
        base.forEach((b, i) => {
          const u = unexplained(path.join(tmp, `${stack}-${what}-${i}`), b, after[i]);
          if (u.length) failures.push(`${stack} cluster ${i} edge ${what}:\n    ${u.join("\n    ")}`);
        });
        // The change is visible somewhere in the stack.
        assert.ok(
          base.some((b, i) => diffManifests(b, after[i]).length > 0),
          `${stack}: edge ${what} changes nothing`,
        );
      }
      assert.deepStrictEqual(failures, []);
    });
  }

  it(`${SINGLE} random clusters with one random change, one netpol-analyzer run each (seed ${SEED})`, () => {
    const rand = mulberry32(SEED + 1);
    const failures: string[] = [];
    let changed = 0;
    for (let i = 0; i < SINGLE; i++) {
      const before = randomCluster(rand, { prefix: `c${i}-` });
      const { objects: after, what } = mutate(rand, before);
      const dir = path.join(tmp, `single-${i}`);
      const u = unexplained(dir, before, after);
      if (diffManifests(before, after).length) changed++;
      if (u.length)
        failures.push(`pair ${i} (${what}; kept in ${dir}):\n    ${u.slice(0, 10).join("\n    ")}`);
      else fs.rmSync(dir, { recursive: true });
    }
    if (failures.length) keep = true;
    assert.deepStrictEqual(failures, []);
    // Most mutations change connectivity; a test of empty diffs would prove little.
    assert.ok(changed > SINGLE / 3, `only ${changed} of ${SINGLE} pairs differ`);
  });

  it(`${Math.max(0, TOTAL - SINGLE)} random pairs, ${BATCH} per netpol-analyzer run (seed ${SEED + 2})`, () => {
    const rand = mulberry32(SEED + 2);
    const failures: string[] = [];
    for (let b = 0; b * BATCH < TOTAL - SINGLE; b++) {
      const before: Obj[] = [];
      const after: Obj[] = [];
      for (let j = 0; j < BATCH && b * BATCH + j < TOTAL - SINGLE; j++) {
        const objs = randomCluster(rand, { prefix: `b${b}c${j}-` });
        before.push(...objs);
        after.push(...mutate(rand, objs).objects);
      }
      const dir = path.join(tmp, `batch-${b}`);
      const u = unexplained(dir, before, after);
      if (u.length) failures.push(`batch ${b} (kept in ${dir}):\n    ${u.slice(0, 10).join("\n    ")}`);
      else fs.rmSync(dir, { recursive: true });
    }
    if (failures.length) keep = true;
    assert.deepStrictEqual(failures, []);
  });
});
