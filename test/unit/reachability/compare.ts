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
import { analyse, EXTERNAL_SUFFIX, formatConnectionsText } from "../../../policy-pack/reachability";
import { loadManifests } from "../../../policy-pack/reachability/load";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const NETPOL_ANALYZER = path.join(REPO_ROOT, ".toolchain/bin/netpol-analyzer");
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
    const text = formatConnectionsText(analyse(loadManifests(paths)).connections());
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

export interface Comparison {
  ours: ToolRun;
  theirs: ToolRun;
  /** Lines only one tool printed, prefixed `ours: ` / `netpol-analyzer: `, and error mismatches. */
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
    return { ours, theirs, differences: diffRuns(ours, theirs) };
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
