/**
 * Runs every rule of the k8s-netplat policy pack on plain Kubernetes manifests.
 *
 *   npm run --silent policy:check -- [--stack dev|prod|multi-cluster] [--output text|json] <files or folders>...
 *
 * Exit codes: 0 no mandatory violation, 1 at least one mandatory violation,
 * 2 bad arguments or unreadable/invalid input.
 */
import { InputError, loadManifests, manifestsToResources } from "../policy-pack/lib/load-manifests";
import { hasMandatory, runPack, STACKS, type StackName, type Violation } from "../policy-pack/lib/run";

const USAGE = `usage: policy:check [--stack ${STACKS.join("|")}] [--output text|json] <file or folder>...
  Reads YAML/JSON manifests (multi-document files, List kinds, folders recursively: *.yaml, *.yml, *.json)
  and runs every rule of policy-pack/ with that stack's policy config (default: prod).
  Exit 0: no mandatory violation; 1: mandatory violations; 2: bad arguments or input.`;

class UsageError extends Error {}

interface Args {
  stack: StackName;
  output: "text" | "json";
  paths: string[];
}

function parseArgs(argv: string[]): Args | "help" {
  const args: Args = { stack: "prod", output: "text", paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (flag: string): string => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (a === "-h" || a === "--help") return "help";
    else if (a === "--stack" || a.startsWith("--stack=")) {
      const v = value("--stack");
      if (!(STACKS as readonly string[]).includes(v)) {
        throw new UsageError(`--stack "${v}" is not a stack; accepted: ${STACKS.join(", ")}`);
      }
      args.stack = v as StackName;
    } else if (a === "--output" || a.startsWith("--output=")) {
      const v = value("--output");
      if (v !== "text" && v !== "json")
        throw new UsageError(`--output "${v}" is not accepted; use text or json`);
      args.output = v;
    } else if (a === "--") continue;
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else args.paths.push(a);
  }
  if (args.paths.length === 0) throw new UsageError("no files or folders given");
  return args;
}

function line(v: Violation): string {
  const where = `${v.kind} ${v.namespace ? `${v.namespace}/` : ""}${v.name}`.trim();
  return `${v.policy} ${v.level} ${where}: ${v.message.replace(/\s*\n\s*/g, " ")}`;
}

export function main(argv: string[]): number {
  let args: Args | "help";
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`policy:check: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let violations: Violation[];
  try {
    const loaded = loadManifests(args.paths);
    if (loaded.length === 0) {
      throw new InputError(
        `${args.paths.join(", ")}: no Kubernetes objects found (looked for *.yaml, *.yml, *.json)`,
      );
    }
    violations = runPack(manifestsToResources(loaded), args.stack);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(`policy:check: ${e.message}\nInput must be Kubernetes manifests in YAML or JSON.\n`);
    return 2;
  }
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
  return hasMandatory(violations) ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
