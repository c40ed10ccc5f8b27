/**
 * `npm run --silent topology -- --stack <dev|prod|multi-cluster> [--out <dir>]`
 *
 * Writes, from the stack's config alone (no Pulumi, no cluster):
 *   topology.mmd      the Mermaid diagram (services, edges with ports, namespaces, clusters)
 *   topology.dot      the same graph for Graphviz, and topology.svg when `dot` is installed
 *   intent-vs-actual.md   per cluster, what the compiled NetworkPolicies really allow
 *                         (the reachability analyser) held against the declared intent
 * Exit 0 when the policies allow exactly the intent, 1 when they do not, 2 on bad input.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../lib/config";
import { clusterPlanObjects, planCluster } from "../lib/cluster-plan";
import { resolveApp } from "../lib/intent";
import { STACK_NAMES, loadStackConfig } from "../lib/stack-file";
import { topologyDot, topologyMermaid } from "../lib/topology";
import { checkIntent, formatIntentTable } from "../policy-pack/reachability/check-intent";
import { parseIntentDocument } from "@k8s-netplat/contract";
import { parseArgv, ParsedArgv, UsageError } from "./lib/cli";

function usage(message: string): number {
  console.error(
    `${message}\nusage: npm run --silent topology -- --stack <${STACK_NAMES.join("|")}> [--out <dir>]`,
  );
  return 2;
}

const FLAGS = { stack: { value: `<${STACK_NAMES.join("|")}>` }, out: { value: "<dir>" } } as const;

function main(argv: string[]): number {
  let args: ParsedArgv<typeof FLAGS>;
  try {
    args = parseArgv(argv, FLAGS);
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  if (args.help) {
    console.log(`usage: npm run --silent topology -- --stack <${STACK_NAMES.join("|")}> [--out <dir>]`);
    return 0;
  }
  const { stack, out } = args.flags;
  if (!stack || !(STACK_NAMES as readonly string[]).includes(stack)) {
    return usage(`--stack must be one of ${STACK_NAMES.join(", ")} (got ${stack ?? "nothing"})`);
  }
  const dir = path.resolve(out ?? path.join("out", stack));
  let platform;
  try {
    platform = loadStackConfig(stack);
  } catch (e) {
    console.error(
      e instanceof ConfigError ? e.message : `stacks/Pulumi.${stack}.yaml: ${(e as Error).message}`,
    );
    return 2;
  }
  const app = resolveApp(platform.app.spec);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "topology.mmd"), topologyMermaid(platform, app));
  const dotFile = path.join(dir, "topology.dot");
  fs.writeFileSync(dotFile, topologyDot(platform, app));
  const dot = spawnSync("dot", ["-Tsvg", "-o", path.join(dir, "topology.svg"), dotFile], {
    encoding: "utf8",
  });
  const svg = dot.error
    ? "not rendered: Graphviz `dot` is not installed (apt-get install graphviz)"
    : dot.status === 0
      ? path.join(dir, "topology.svg")
      : `not rendered: dot failed: ${dot.stderr.trim()}`;

  let mismatches = 0;
  const report = [`# Intent vs actual: stack ${stack}`, ""];
  for (const cluster of platform.clusters) {
    const plan = planCluster(platform, app, cluster.name);
    const intent = parseIntentDocument((plan.shop.intent.data as Record<string, string>)["intent.json"]);
    const findings = checkIntent(clusterPlanObjects(plan), intent);
    mismatches += findings.length;
    report.push(`## cluster ${cluster.name}`, "", formatIntentTable(findings, intent));
  }
  fs.writeFileSync(path.join(dir, "intent-vs-actual.md"), report.join("\n"));
  console.log(`topology diagram: ${path.join(dir, "topology.mmd")} (Mermaid), ${dotFile} (DOT)`);
  console.log(`rendered SVG: ${svg}`);
  console.log(`intent vs actual: ${path.join(dir, "intent-vs-actual.md")} (${mismatches} mismatch(es))`);
  return mismatches === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
