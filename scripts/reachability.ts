/**
 * NetworkPolicy reachability of a set of manifests, in the format of np-guard's
 * netpol-analyzer `list` command.
 *
 *   npm run --silent reachability -- <files or folders of YAML> [--output txt|json]
 *   npm run --silent reachability -- <files or folders> --explain <src> <dst>
 *   npm run --silent reachability -- diff <before> <after> [--output text|json|md]
 *
 * Exit 0 with the list; 2 with a message naming the file and reason on bad input.
 * `diff` is scripts/lib/reachability-diff.ts (its own exit codes: 0 no change, 1 changes).
 */
import { analyse, formatConnectionsJson, formatConnectionsText } from "../policy-pack/reachability";
import { loadManifests } from "../policy-pack/reachability/load";
import { runDiff } from "./lib/reachability-diff";

const USAGE = `usage: reachability <files or folders of YAML>... [--output txt|json] [--explain <src> <dst>]
  Lists every allowed connection as "src => dst : conns", peers as namespace/name[Kind]
  and external ranges as a.b.c.d-e.f.g.h[External].`;

function main(argv: string[]): number {
  const paths: string[] = [];
  let output = "txt";
  let explain: [string, string] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE + "\n");
      return 0;
    } else if (a === "-o" || a === "--output") {
      output = argv[++i];
    } else if (a.startsWith("--output=")) {
      output = a.slice("--output=".length);
    } else if (a === "--explain") {
      if (i + 2 >= argv.length) return usage("--explain needs <src> <dst>");
      explain = [argv[i + 1], argv[i + 2]];
      i += 2;
    } else if (a.startsWith("-")) {
      return usage(`unknown option ${a}`);
    } else {
      paths.push(a);
    }
  }
  if (output !== "txt" && output !== "json") return usage(`--output must be txt or json, got ${output}`);
  if (paths.length === 0) return usage("no input files or folders");
  let result;
  try {
    result = analyse(loadManifests(paths));
  } catch (e) {
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

const argv = process.argv.slice(2);
process.exitCode = argv[0] === "diff" ? runDiff(argv.slice(1)) : main(argv);
