/**
 * Runs our analyser and np-guard's netpol-analyzer on the same manifests and compares
 * their `list` output. Used by the differential test; a test over rendered stack
 * manifests is one call:
 *
 *   const d = compareWithNetpolAnalyzer(["out/manifests/dev"]);
 *   assert.deepStrictEqual(d.differences, []);
 *   // or: assertSameAsNetpolAnalyzer(["out/manifests/dev"]);
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  analyse,
  ConnSet,
  EXTERNAL_SUFFIX,
  formatConnectionsText,
  type L4Protocol,
  PROTOCOLS,
} from "../../../policy-pack/reachability";
import { loadManifests } from "../../../policy-pack/manifests";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
/** The binary scripts/netpol-analyzer.sh builds; NETPOL_ANALYZER overrides it. */
export const NETPOL_ANALYZER =
  process.env.NETPOL_ANALYZER ?? path.join(REPO_ROOT, ".toolchain/bin/netpol-analyzer");
export const BUILD_COMMAND = "bash scripts/netpol-analyzer.sh";

/** The binary's path; throws (never skips) with the command that builds it when missing. */
export function requireNetpolAnalyzer(): string {
  if (!fs.existsSync(NETPOL_ANALYZER)) {
    throw new Error(
      `netpol-analyzer is not built (${NETPOL_ANALYZER} missing); build it with: ${BUILD_COMMAND}`,
    );
  }
  return NETPOL_ANALYZER;
}

export interface ToolRun {
  /** `src => dst : conns` lines, external ranges without the `[External]` suffix. */
  lines: string[];
  /** Set when the tool refused the input (our Error message, or netpol-analyzer's error lines). */
  error?: string;
}

/** netpol-analyzer `list` over one folder. Errors it logs and skips past count as errors. */
export function runNetpolAnalyzer(dir: string, timeoutMs = 600_000): ToolRun {
  const bin = requireNetpolAnalyzer();
  const r = spawnSync(bin, ["list", "--dirpath", dir], {
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 1 << 30,
  });
  if (r.error) throw new Error(`netpol-analyzer: ${r.error.message}`);
  const errLines = r.stderr.split("\n").filter((l) => /\berror\b/i.test(l));
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  if (r.status !== 0 || errLines.length) {
    return { lines, error: (errLines.join("\n") || r.stderr.trim() || `exit ${r.status}`).trim() };
  }
  return { lines };
}

/** Our analyser over the same paths, in netpol-analyzer's text (suffix stripped). */
export function runOurs(paths: readonly string[]): ToolRun {
  try {
    const text = formatConnectionsText(analyse(loadManifests(paths).map((l) => l.manifest)).connections());
    return {
      lines: text
        .split("\n")
        .filter((l) => l !== "")
        .map(stripExternal),
    };
  } catch (e) {
    return { lines: [], error: (e as Error).message };
  }
}

export function stripExternal(line: string): string {
  return line.split(EXTERNAL_SUFFIX).join("");
}

/** Parses netpol-analyzer's connection text back into a set. */
export function parseConns(s: string): ConnSet {
  if (s === "All Connections") return ConnSet.ALL;
  if (s === "No Connections") return ConnSet.NONE;
  let out = ConnSet.NONE;
  let proto: L4Protocol | undefined;
  for (const tok of s.split(",")) {
    let t = tok;
    const m = /^(TCP|UDP|SCTP) (.*)$/.exec(tok);
    if (m) {
      proto = m[1] as L4Protocol;
      t = m[2];
    }
    if (!proto || !(PROTOCOLS as readonly string[]).includes(proto))
      throw new Error(`cannot parse conns "${s}"`);
    const [lo, hi] = t.split("-").map(Number);
    out = out.union(ConnSet.ports(proto, lo, hi ?? lo));
  }
  return out;
}

/** Lines only one tool printed, grouped per pair, with both tools' connections. */
export function pairDiffs(
  ours: string[],
  theirs: string[],
): { src: string; dst: string; ours: ConnSet; theirs: ConnSet }[] {
  const parse = (lines: string[]) =>
    new Map(
      lines.map((l) => {
        const m = /^(.*) => (.*) : (.*)$/.exec(l)!;
        return [`${m[1]} => ${m[2]}`, m[3]] as const;
      }),
    );
  const a = parse(ours);
  const b = parse(theirs);
  const out = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(k) === b.get(k)) continue;
    const [src, dst] = k.split(" => ");
    out.push({
      src,
      dst,
      ours: a.has(k) ? parseConns(a.get(k)!) : ConnSet.NONE,
      theirs: b.has(k) ? parseConns(b.get(k)!) : ConnSet.NONE,
    });
  }
  return out;
}

const ourId = (id: string): string => (/^\d+\.\d+\.\d+\.\d+-/.test(id) ? id + EXTERNAL_SUFFIX : id);

/**
 * D1: netpol-analyzer v1.4.4 mis-computes unions and intersections of port sets
 * when a port range (endPort, or a whole protocol) partially overlaps another port
 * entry of the same protocol among the rules of the pair (egress 9000-9100 against
 * ingress 8000-9050 gives it no connection at all). Recognised when the pair's rules
 * on the two sides together hold two different, overlapping entries of one protocol,
 * one of them a range; any other difference still fails.
 */
export function isD1(objects: unknown[], d: ReturnType<typeof pairDiffs>[number]): boolean {
  const entries = analyse(objects).portEntries(ourId(d.src), ourId(d.dst));
  const all = [entries.egress, entries.ingress].flatMap((side) => (side === "open" ? [] : side));
  return all.some((e, i) =>
    all.some(
      (f, j) =>
        i !== j &&
        e.protocol === f.protocol &&
        e.lo <= f.hi &&
        f.lo <= e.hi &&
        (e.hi > e.lo || f.hi > f.lo) &&
        !(e.lo === f.lo && e.hi === f.hi),
    ),
  );
}

/** Differences that are neither none nor documented; empty when the tools agree. */
export function unexplained(dir: string, objects: unknown[]): string[] {
  const theirs = runNetpolAnalyzer(dir);
  const ours = runOurs([dir]);
  if (ours.error || theirs.error) return diffRuns(ours, theirs);
  return pairDiffs(ours.lines, theirs.lines)
    .filter((d) => !isD1(objects, d))
    .map((d) => `${d.src} => ${d.dst}: ours ${d.ours.toString()}, netpol-analyzer ${d.theirs.toString()}`);
}

export interface Comparison {
  ours: ToolRun;
  theirs: ToolRun;
  /** Pairs on which the tools disagree beyond the documented differences (docs/reachability.md), and error mismatches. */
  differences: string[];
}

/**
 * Compares both tools on `paths` (files or folders). netpol-analyzer reads one folder,
 * so several paths, or a file, are copied into a temporary folder first.
 */
export function compareWithNetpolAnalyzer(paths: readonly string[]): Comparison {
  requireNetpolAnalyzer();
  let dir = paths.length === 1 && fs.statSync(paths[0]).isDirectory() ? paths[0] : undefined;
  let tmp: string | undefined;
  if (!dir) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reach-cmp-"));
    paths.forEach((p, i) => fs.cpSync(p, path.join(tmp!, `${i}-${path.basename(p)}`), { recursive: true }));
    dir = tmp;
  }
  try {
    const theirs = runNetpolAnalyzer(dir);
    const ours = runOurs(paths);
    return {
      ours,
      theirs,
      differences: unexplained(
        dir,
        loadManifests(paths).map((l) => l.manifest),
      ),
    };
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function diffRuns(ours: ToolRun, theirs: ToolRun): string[] {
  if (ours.error || theirs.error) {
    if (ours.error && theirs.error) return [];
    return [
      `ours: ${ours.error ?? "accepted the input"}`,
      `netpol-analyzer: ${theirs.error ?? "accepted the input"}`,
    ];
  }
  const a = new Set(ours.lines);
  const b = new Set(theirs.lines);
  return [
    ...ours.lines.filter((l) => !b.has(l)).map((l) => `ours: ${l}`),
    ...theirs.lines.filter((l) => !a.has(l)).map((l) => `netpol-analyzer: ${l}`),
  ];
}

/** Throws listing the differences, if any. */
export function assertSameAsNetpolAnalyzer(paths: readonly string[]): Comparison {
  const c = compareWithNetpolAnalyzer(paths);
  if (c.differences.length) {
    throw new Error(
      `reachability differs from netpol-analyzer on ${paths.join(", ")}:\n  ${c.differences.slice(0, 50).join("\n  ")}`,
    );
  }
  return c;
}
