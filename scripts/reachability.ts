/**
 * NetworkPolicy reachability of a set of manifests, in the format of np-guard's
 * netpol-analyzer `list` command.
 *
 *   npm run --silent reachability -- <files or folders of YAML> [--output txt|json]
 *   npm run --silent reachability -- <files or folders> --explain <src> <dst>
 *   npm run --silent reachability -- diff <before> <after> [--output text|json|md]
 *
 * Exit codes (README.md, "Exit codes"): 0 with the list; 2 bad arguments, or input the
 * API server would refuse (the message names the file, object and field); 3 internal error.
 * `diff` is scripts/lib/reachability-diff.ts (0 no change, 1 changes, 2 invalid input).
 */
import { analyse, formatConnectionsJson, formatConnectionsText } from "../policy-pack/reachability";
import { INPUT_LIMITS, InputError, loadManifests } from "../policy-pack/manifests";
import { exitCodesHelp, parseArgv, runMain, UsageError } from "./lib/cli";
import { runDiff } from "./lib/reachability-diff";

const USAGE = `usage: reachability <files or folders of YAML>... [--output txt|json] [--explain <src> <dst>]
  Lists every allowed connection as "src => dst : conns", peers as namespace/name[Kind]
  and external ranges as a.b.c.d-e.f.g.h[External].
  Every object is first checked as the API server would; one it would refuse is invalid input.
  Limits: ${INPUT_LIMITS}.
${exitCodesHelp("not used by list and --explain")}`;

/**
 * The objects under `paths` for the analyser, read and checked by the one manifest
 * loader; throws an InputError (exit 2) naming file, object and field.
 */
export function loadObjects(paths: readonly string[]): unknown[] {
  return loadManifests(paths).map((l) => l.manifest);
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgv(
      argv,
      { output: { value: "<txt|json>", short: "o" }, explain: { value: "<src>", value2: "<dst>" } },
      { positionals: "<file or folder>..." },
    );
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const paths = parsed.positionals;
  const output = parsed.flags.output ?? "txt";
  const explain = parsed.flags.explain;
  if (output !== "txt" && output !== "json") return usage(`--output must be txt or json, got ${output}`);
  if (paths.length === 0) return usage("no input files or folders");
  let result;
  try {
    result = analyse(loadObjects(paths));
  } catch (e) {
    if (!(e instanceof InputError)) throw e; // a bug: exit 3 (runMain)
    process.stderr.write(`reachability: ${(e as Error).message}\n`);
    return 2;
  }
  if (explain) {
    try {
      process.stdout.write(result.explainPair(explain[0], explain[1]).lines.join("\n") + "\n");
    } catch (e) {
      process.stderr.write(`reachability: ${(e as Error).message}\n`);
      return 2;
    }
    return 0;
  }
  const conns = result.connections();
  process.stdout.write(
    output === "json" ? formatConnectionsJson(conns) + "\n" : formatConnectionsText(conns),
  );
  return 0;
}

function usage(msg: string): number {
  process.stderr.write(`reachability: ${msg}\n${USAGE}\n`);
  return 2;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  runMain("reachability", USAGE, () => (argv[0] === "diff" ? runDiff(argv.slice(1)) : main(argv)));
}
