/**
 * Runs every rule of the k8s-netplat policy pack on plain Kubernetes manifests.
 *
 *   npm run --silent policy:check -- [--stack dev|prod|multi-cluster] [--output text|json] [--tags <tag,...>] <files or folders>...
 *
 * Exit codes (README.md, "Exit codes"): 0 no mandatory violation, 1 at least one
 * mandatory violation, 2 bad arguments or input the API server would refuse, 3 internal error.
 */
import * as fs from "fs";
import * as path from "path";
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
  A folder in render mode's multi-cluster layout (one subfolder per cluster, each holding only
  numbered folders such as 0-crd and 1-manifest) is judged one cluster at a time.
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

/** What the pack judges as one cluster: a label (empty for a single cluster) and its paths. */
interface ClusterInput {
  cluster: string;
  paths: string[];
}

/**
 * The clusters of a folder in render mode's multi-cluster layout (`<dir>/<cluster>/0-crd`,
 * `<dir>/<cluster>/1-manifest`), or undefined for any other path. Each cluster is its own
 * API server: the same object in two clusters is not a duplicate, and stack rules count
 * per cluster. A path that cannot be read is left to the manifest loader, which reports
 * it as invalid input.
 */
function renderClusters(dir: string): string[] | undefined {
  try {
    if (!fs.statSync(dir).isDirectory()) return undefined;
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.length < 2 || !entries.every((e) => e.isDirectory())) return undefined;
    const layout = entries.every((e) => {
      const inner = fs.readdirSync(path.join(dir, e.name), { withFileTypes: true });
      return inner.length > 0 && inner.every((i) => i.isDirectory() && /^\d+-/.test(i.name));
    });
    return layout ? entries.map((e) => e.name).sort() : undefined;
  } catch {
    return undefined;
  }
}

/** The given paths as the clusters to judge: one per render cluster folder, the rest together. */
export function clusterInputs(paths: string[]): ClusterInput[] {
  const rest: string[] = [];
  const clusters: ClusterInput[] = [];
  for (const p of paths) {
    const names = renderClusters(p);
    if (names) clusters.push(...names.map((c) => ({ cluster: c, paths: [path.join(p, c)] })));
    else rest.push(p);
  }
  return rest.length > 0 ? [{ cluster: "", paths: rest }, ...clusters] : clusters;
}

function line(v: Violation, cluster: string): string {
  const where = `${v.kind} ${v.namespace ? `${v.namespace}/` : ""}${v.name}`.trim();
  return `${cluster ? `[${cluster}] ` : ""}${v.policy} ${v.level} ${where}: ${v.message.replace(/\s*\n\s*/g, " ")}`;
}

export function main(argv: string[]): number {
  const args = parseArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }
  // Every input is read (and refused if invalid) before any cluster is judged.
  const inputs = clusterInputs(args.paths).map((c) => ({
    cluster: c.cluster,
    resources: manifestsToResources(loadManifests(c.paths)),
  }));
  const judged = inputs.map((c) => ({
    cluster: c.cluster,
    violations: runPack(c.resources, args.stack, { policies: args.policies }),
  }));
  const violations = judged.flatMap((j) => j.violations);
  if (args.output === "json") {
    const rows = judged.flatMap(({ cluster, violations: vs }) =>
      vs.map(({ policy, level, kind, namespace, name, message }) => ({
        ...(cluster ? { cluster } : {}),
        policy,
        level,
        kind,
        namespace,
        name,
        message,
      })),
    );
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const j of judged) for (const v of j.violations) process.stdout.write(`${line(v, j.cluster)}\n`);
    const mandatory = violations.filter((v) => v.level === "mandatory").length;
    const where = judged.some((j) => j.cluster)
      ? `, clusters ${judged.map((j) => j.cluster || "(other paths)").join(", ")}`
      : "";
    process.stderr.write(
      `policy:check (${args.stack}${where}): ${violations.length} violation(s), ${mandatory} mandatory\n`,
    );
  }
  return hasMandatory(violations) ? EXIT.finding : EXIT.clean;
}

if (require.main === module) runMain("policy:check", USAGE, () => main(process.argv.slice(2)));
