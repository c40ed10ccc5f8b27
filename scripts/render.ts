/**
 * `npm run --silent render -- --stack <dev|prod|multi-cluster> [--fixture-charts | --charts <dir>]`
 *
 * The main job on a machine without a cluster: builds nothing itself (run
 * `npm run setup` and `bash scripts/toolchain.sh` first, or use `npm run main`), then
 * runs `pulumi up` of the stack in render mode with a local file backend (.state/) and
 * the policy pack enforced, and writes:
 *   out/<stack>/manifests/   every Kubernetes object, as YAML (a folder per cluster
 *                            when the stack has several)
 *   out/<stack>/topology.*   the diagram and the intent-vs-actual report
 * `--fixture-charts` swaps every add-on chart for a test fixture (one ConfigMap each),
 * for machines that cannot reach the chart repositories: the manifests of the add-ons
 * are then NOT the real add-ons. `--charts <dir>` takes every chart from a local mirror,
 * `<dir>/<key>` (the stack's `charts.mirror`; see `npm run charts:mirror`). Secrets passphrase: $PULUMI_CONFIG_PASSPHRASE, or a
 * local default with a warning (render mode writes no secret value: Secrets get
 * placeholders, and the summary lists their files).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { mirrorVersionWarnings } from "../lib/charts";
import { holdsPlaceholder } from "../lib/render-secrets";
import { STACK_NAMES } from "../lib/stack-file";
import { parseArgv, ParsedArgv, UsageError } from "./lib/cli";
import { REPO, policyPackArgs, prepareWorkspace } from "./lib/workspace";

function fail(message: string, code = 2): number {
  console.error(message);
  return code;
}

const FLAGS = {
  stack: { value: `<${STACK_NAMES.join("|")}>` },
  "fixture-charts": {},
  charts: { value: "<dir>" },
} as const;

function main(argv: string[]): number {
  let args: ParsedArgv<typeof FLAGS>;
  try {
    args = parseArgv(argv, FLAGS);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message);
    throw e;
  }
  if (args.help) {
    console.log(
      `usage: npm run --silent render -- --stack ${FLAGS.stack.value} [--fixture-charts | --charts <dir>]`,
    );
    return 0;
  }
  const { stack, charts } = args.flags;
  const fixtureCharts = args.flags["fixture-charts"] === true;
  if (charts !== undefined && fixtureCharts) {
    return fail(
      "--charts <dir> and --fixture-charts cannot be combined: take the charts from a mirror or from the fixtures",
    );
  }
  const mirror = charts === undefined ? undefined : path.resolve(charts);
  if (mirror && !fs.statSync(mirror, { throwIfNoEntry: false })?.isDirectory()) {
    return fail(
      `--charts ${charts}: not a directory (a chart mirror: one unpacked chart per key, <dir>/<key>)`,
    );
  }
  if (!stack || !(STACK_NAMES as readonly string[]).includes(stack)) {
    return fail(`--stack must be one of ${STACK_NAMES.join(", ")} (got ${stack ?? "nothing"})`);
  }
  let passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  if (passphrase === undefined) {
    passphrase = "local-render";
    console.error(
      "render: PULUMI_CONFIG_PASSPHRASE is not set; using a local default for .state/ (set it to protect stack secrets)",
    );
  }
  const out = path.join(REPO, "out", stack);
  const manifests = path.join(out, "manifests");
  let ws;
  try {
    ws = prepareWorkspace({
      stack,
      root: path.join(REPO, ".state", stack),
      renderDir: manifests,
      fixtureCharts,
      passphrase,
      // Every key from the mirror (the stack's own per-key sources would win over it);
      // the project is copied elsewhere, so the mirror goes in as an absolute path.
      patch: mirror
        ? (p) => {
            p.charts = { mirror };
          }
        : undefined,
    });
  } catch (e) {
    return fail(`render: ${(e as Error).message}`);
  }
  if (fixtureCharts)
    console.log("render: --fixture-charts: every add-on chart is a test fixture, not the real add-on");
  if (mirror) {
    console.log(`render: --charts: every chart from the mirror ${mirror}`);
    for (const w of mirrorVersionWarnings({ mirror })) console.log(`render: warning: ${w}`);
  }
  console.log(
    `render: pulumi up --stack ${stack} (render mode, policy pack enforced, state in .state/${stack}/state)`,
  );
  const up = spawnSync(
    "pulumi",
    ["up", "--yes", "--non-interactive", "--stack", stack, ...policyPackArgs(stack)],
    { cwd: ws.dir, env: ws.env, stdio: "inherit" },
  );
  if (up.status !== 0) return fail(`render: pulumi up failed (exit ${up.status ?? up.error})`, 1);
  const topo = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "scripts/topology.ts", "--stack", stack, "--out", out],
    {
      cwd: REPO,
      stdio: "inherit",
    },
  );
  const files = fs
    .readdirSync(manifests, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  console.log(`\nmanifests: ${manifests} (${files.length} files)`);
  // Secrets are written with placeholders (lib/render-secrets.ts): say which, so they are supplied out of band.
  const withheld = files.filter((f) => holdsPlaceholder(fs.readFileSync(path.join(manifests, f), "utf8")));
  for (const f of withheld) console.log(`not rendered: holds a secret (placeholders written): ${f}`);
  if (withheld.length > 0) {
    console.log(
      `${withheld.length} Secret file(s) hold placeholders instead of values: create those Secrets out of band (sealed-secrets, external-secrets, SOPS)`,
    );
  }
  console.log(
    `topology:  ${path.join(out, "topology.mmd")}, ${path.join(out, "topology.svg")} (if Graphviz is installed)`,
  );
  console.log(`intent vs actual: ${path.join(out, "intent-vs-actual.md")}`);
  return topo.status === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
