/**
 * Runs every rule of the k8s-netplat policy pack on plain Kubernetes manifests.
 *
 *   npm run --silent policy:check -- [--stack dev|prod|multi-cluster] [--output text|json] [--tags <tag,...>] <files or folders>...
 *
 * Exit codes (README.md, "Exit codes"): 0 no mandatory violation, 1 at least one
 * mandatory violation, 2 bad arguments or input the API server would refuse, 3 internal error.
 */
import { INPUT_LIMITS, loadManifests } from "../policy-pack/manifests";
import { manifestsToResources } from "../policy-pack/lib/load-manifests";
import { hasMandatory, runPack, STACKS, type StackName, type Violation } from "../policy-pack/lib/run";
import type { PackPolicy } from "../policy-pack/lib/rule";
import { policiesTagged } from "../policy-pack/policies";
import { EXIT, exitCodesHelp, parseArgv, runMain, UsageError } from "./lib/cli";

const USAGE = `usage: policy:check [--stack ${STACKS.join("|")}] [--output text|json] [--tags <tag,...>] <file or folder>...
  Reads YAML/JSON manifests (multi-document files, List kinds, folders recursively: *.yaml, *.yml, *.json)
  and runs every rule of policy-pack/ with that stack's policy config (default: prod).
  --tags runs only the rules carrying at least one of the tags, e.g. cis:5.2.2,nsa-cisa:network-policies
  or cis-kubernetes-benchmark (docs/policies.md lists the benchmark tags).
  Every object is first checked as the API server would (the schema of its kind, YAML 1.1
  booleans such as an unquoted "no", selectors, CIDRs, ports); one it would refuse is invalid input.
  Limits: ${INPUT_LIMITS}.
${exitCodesHelp("mandatory violations")}`;

interface Args {
  stack: StackName;
  output: "text" | "json";
  /** The rules to run; every rule when --tags is not given. */
  policies?: PackPolicy[];
  paths: string[];
}

const FLAGS = {
  stack: { value: `<${STACKS.join("|")}>` },
  output: { value: "<text|json>" },
  tags: { value: "<tag,...>" },
} as const;

function parseArgs(argv: string[]): Args | "help" {
  const { flags, positionals, help } = parseArgv(argv, FLAGS, { positionals: "<file or folder>..." });
  if (help) return "help";
  const args: Args = { stack: "prod", output: "text", paths: positionals };
  if (flags.stack !== undefined) {
    if (!(STACKS as readonly string[]).includes(flags.stack)) {
      throw new UsageError(`--stack "${flags.stack}" is not a stack; accepted: ${STACKS.join(", ")}`);
    }
    args.stack = flags.stack as StackName;
  }
  if (flags.output !== undefined) {
    if (flags.output !== "text" && flags.output !== "json")
      throw new UsageError(`--output "${flags.output}" is not accepted; use text or json`);
    args.output = flags.output;
  }
  if (flags.tags !== undefined) {
    const tags = flags.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    if (tags.length === 0) throw new UsageError("--tags needs at least one tag");
    try {
      args.policies = policiesTagged(tags);
    } catch (e) {
      throw new UsageError(`--tags: ${(e as Error).message}`);
    }
  }
  if (args.paths.length === 0) throw new UsageError("no files or folders given");
  return args;
}

function line(v: Violation): string {
  const where = `${v.kind} ${v.namespace ? `${v.namespace}/` : ""}${v.name}`.trim();
  return `${v.policy} ${v.level} ${where}: ${v.message.replace(/\s*\n\s*/g, " ")}`;
}

export function main(argv: string[]): number {
  const args = parseArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }
  const violations = runPack(manifestsToResources(loadManifests(args.paths)), args.stack, {
    policies: args.policies,
  });
  if (args.output === "json") {
    const rows = violations.map(({ policy, level, kind, namespace, name, message }) => ({
      policy,
      level,
      kind,
      namespace,
      name,
      message,
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const v of violations) process.stdout.write(`${line(v)}\n`);
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    process.stderr.write(
      `policy:check (${args.stack}): ${violations.length} violation(s), ${mandatory} mandatory\n`,
    );
  }
  return hasMandatory(violations) ? EXIT.finding : EXIT.clean;
}

if (require.main === module) runMain("policy:check", USAGE, () => main(process.argv.slice(2)));
