/**
 * `reachability diff <before> <after>`: the connectivity diff of two sets of manifests,
 * in the format of np-guard netpol-analyzer's `diff` command (text, md) or JSON.
 * scripts/reachability.ts dispatches here; the diff itself is policy-pack/reachability/diff.ts.
 *
 * Exit codes: 0 no change, 1 changes, 2 invalid input or arguments, 3 internal error.
 */
import * as fs from "fs";
import {
  diffReachability,
  formatDiffJson,
  formatDiffMarkdown,
  formatDiffText,
  type ConnectionDiff,
} from "../../policy-pack/reachability/diff";
import { analyse, type Reachability } from "../../policy-pack/reachability";
import { loadManifests } from "../../policy-pack/manifests";
import { parseArgv, UsageError } from "./cli";

export const DIFF_USAGE = `usage: reachability diff <before> <after> [--output text|json|md]
  <before>, <after>: a folder or file of YAML/JSON manifests, or several joined with ","
  Prints every connection added, removed or changed (ports) per source and destination,
  in netpol-analyzer's diff format (text: nothing when there is no difference).
  Exit 0: no change; 1: changes; 2: invalid input or arguments; 3: internal error.`;

export const EXIT_NO_CHANGE = 0;
export const EXIT_CHANGES = 1;
export const EXIT_INVALID = 2;
export const EXIT_INTERNAL = 3;

const OUTPUTS = ["text", "json", "md"] as const;
type Output = (typeof OUTPUTS)[number];

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** A side: one existing path taken as it is, else a comma-separated list of paths. */
export function sidePaths(arg: string): string[] {
  if (fs.existsSync(arg)) return [arg];
  return arg.split(",").filter((p) => p !== "");
}

/** Bad input (unreadable or invalid manifests): exit 2, unlike an internal error. */
class InputError extends Error {}

function load(side: string, arg: string): Reachability {
  const paths = sidePaths(arg);
  if (paths.length === 0) throw new InputError(`${side}: no path given`);
  try {
    return analyse(loadManifests(paths).map((l) => l.manifest));
  } catch (e) {
    throw new InputError(`${side} (${arg}): ${(e as Error).message}`);
  }
}

export function runDiff(argv: readonly string[], io: Io = processIo): number {
  const usage = (msg: string): number => {
    io.err(`reachability diff: ${msg}\n${DIFF_USAGE}\n`);
    return EXIT_INVALID;
  };
  let parsed;
  try {
    parsed = parseArgv(
      argv,
      { output: { value: `<${OUTPUTS.join("|")}>`, short: "o" } },
      { positionals: "<before> <after>" },
    );
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  if (parsed.help) {
    io.out(DIFF_USAGE + "\n");
    return EXIT_NO_CHANGE;
  }
  const sides = parsed.positionals;
  let output: string = parsed.flags.output ?? "text";
  if (output === "txt") output = "text"; // the list command's spelling
  if (!(OUTPUTS as readonly string[]).includes(output))
    return usage(`--output must be one of ${OUTPUTS.join(", ")}, got "${output}"`);
  if (sides.length !== 2) return usage(`expected two inputs, <before> and <after>, got ${sides.length}`);

  let diffs: ConnectionDiff[];
  try {
    const before = load("before", sides[0]);
    const after = load("after", sides[1]);
    diffs = diffReachability(before, after);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`reachability diff: ${e.message}\n`);
      return EXIT_INVALID;
    }
    io.err(`reachability diff: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
  const o = output as Output;
  if (o === "json") io.out(formatDiffJson(diffs) + "\n");
  else if (o === "md") io.out(formatDiffMarkdown(diffs));
  else io.out(formatDiffText(diffs));
  if (diffs.length === 0) io.err("reachability diff: no connectivity change\n");
  return diffs.length === 0 ? EXIT_NO_CHANGE : EXIT_CHANGES;
}
