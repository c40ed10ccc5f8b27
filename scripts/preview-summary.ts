/**
 * Runs `pulumi preview` for a stack with the CrossGuard pack and prints a Markdown summary for a
 * pull-request comment (see docs/preview-in-ci.md).
 *
 *   npm run --silent preview:summary -- --stack <s> [--cwd <project dir>] [--policy-pack-config <file>]
 *                                        [--charts <dir>] [--from-json <file>] [--save-json <file>]
 *
 * The comment starts with what the change does to connectivity in each cluster (paths opened and
 * closed, intended or not against the traffic intent; scripts/lib/preview-connectivity.ts).
 *
 * Exit codes (README.md, "Exit codes"): 0 the preview succeeded; 1 it failed (pulumi exited non-zero,
 * an error diagnostic, a mandatory policy violation, an unintended connectivity change, unreadable
 * pulumi output); 2 bad arguments or an unreadable --from-json file; 3 internal error.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { mirrorVersionWarnings } from "../lib/charts";
import { CONFIG_KEY, CONFIG_NAMESPACE } from "../lib/config";
import {
  parsePreviewOutput,
  PreviewParseError,
  renderMarkdown,
  verdict,
  type PreviewResult,
} from "./lib/preview-summary";
import { EXIT, exitCodesHelp, parseArgv, runMain, UsageError } from "./lib/cli";

const USAGE = `usage: preview:summary --stack <name> [--cwd <dir>] [--policy-pack-config <file>] [--charts <dir>] [--from-json <file>] [--save-json <file>]
  Runs, in --cwd (default: the repository root):
    pulumi preview --stack <name> --json --policy-pack policy-pack --policy-pack-config <file>
  with PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true (the default --json digest has no policy events);
  --policy-pack-config defaults to policy-pack/config/<name>.json. Prints a Markdown summary on stdout.
  --charts <dir>        take every chart from a local mirror, <dir>/<key> (charts.mirror): the preview
                        reads a temporary copy of the stack file with it set (--config-file).
  --from-json <file|->  summarise a saved \`pulumi preview --json\` output (digest or event stream) instead.
  --save-json <file>    also write pulumi's raw JSON output there.
  The summary starts with the connectivity each cluster gains and loses (intended or not).
${exitCodesHelp("the preview failed (incl. mandatory policy violations and unintended connectivity changes)")}`;

const ROOT = path.join(__dirname, "..");

interface Args {
  stack: string;
  cwd: string;
  policyPackConfig?: string;
  charts?: string;
  fromJson?: string;
  saveJson?: string;
}

const FLAGS = {
  stack: { value: "<name>" },
  cwd: { value: "<dir>" },
  "policy-pack-config": { value: "<file>" },
  charts: { value: "<dir>" },
  "from-json": { value: "<file|->" },
  "save-json": { value: "<file>" },
} as const;

function parseArgs(argv: string[]): Args | "help" {
  const { flags, help } = parseArgv(argv, FLAGS);
  if (help) return "help";
  const stack = flags.stack;
  if (!stack) throw new UsageError("--stack is required");
  if (!/^[A-Za-z0-9._\-/]+$/.test(stack)) throw new UsageError(`--stack "${stack}" is not a stack name`);
  return {
    stack,
    cwd: path.resolve(flags.cwd ?? ROOT),
    policyPackConfig: flags["policy-pack-config"],
    charts: flags.charts === undefined ? undefined : path.resolve(flags.charts),
    fromJson: flags["from-json"],
    saveJson: flags["save-json"],
  };
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  spawnError?: string;
}

/**
 * A temporary copy of the stack file with `charts` set to the mirror alone (every key from
 * it), for `pulumi preview --config-file`; the committed stack file is not touched.
 */
function stackFileWithMirror(args: Args, mirror: string): string {
  const project = parse(fs.readFileSync(path.join(args.cwd, "Pulumi.yaml"), "utf8")) as {
    stackConfigDir?: string;
  };
  const file = path.join(args.cwd, project.stackConfigDir ?? ".", `Pulumi.${args.stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, Record<string, unknown>> };
  const platform = doc.config?.[`${CONFIG_NAMESPACE}:${CONFIG_KEY}`];
  if (!platform)
    throw new UsageError(`${file}: no ${CONFIG_NAMESPACE}:${CONFIG_KEY} to set charts.mirror in`);
  platform.charts = { mirror };
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preview-summary-")), path.basename(file));
  fs.writeFileSync(copy, stringify(doc));
  return copy;
}

function runPulumi(args: Args, configFile: string, stackConfigFile?: string): Promise<Run> {
  const argv = [
    "preview",
    "--stack",
    args.stack,
    "--json",
    "--policy-pack",
    "policy-pack",
    "--policy-pack-config",
    configFile,
    ...(stackConfigFile ? ["--config-file", stackConfigFile] : []),
  ];
  process.stderr.write(`preview:summary: (in ${args.cwd}) pulumi ${argv.join(" ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.env.PULUMI_BIN || "pulumi", argv, {
      cwd: args.cwd,
      env: { ...process.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true", PULUMI_SKIP_UPDATE_CHECK: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
      process.stderr.write(b);
    });
    child.on("error", (e) => resolve({ stdout: "", stderr: err, code: 1, spawnError: e.message }));
    child.on("close", (code) => resolve({ stdout: Buffer.concat(out).toString(), stderr: err, code }));
  });
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }

  if (args.fromJson !== undefined) {
    let text: string;
    let result: PreviewResult;
    try {
      text = fs.readFileSync(args.fromJson === "-" ? 0 : args.fromJson, "utf8");
      result = parsePreviewOutput(text);
    } catch (e) {
      const why = e instanceof PreviewParseError ? e.message : (e as Error).message;
      process.stderr.write(`preview:summary: --from-json ${args.fromJson}: ${why}\n`);
      return EXIT.invalid;
    }
    process.stdout.write(renderMarkdown(result, { stack: args.stack }));
    return verdict(result).failed ? EXIT.finding : EXIT.clean;
  }

  const configFile = args.policyPackConfig ?? path.join("policy-pack", "config", `${args.stack}.json`);
  if (!fs.existsSync(path.resolve(args.cwd, configFile))) {
    process.stderr.write(`preview:summary: policy pack config ${configFile} not found in ${args.cwd}\n`);
    return EXIT.invalid;
  }
  if (!fs.existsSync(path.join(args.cwd, "policy-pack"))) {
    process.stderr.write(`preview:summary: no policy-pack folder in ${args.cwd}\n`);
    return EXIT.invalid;
  }
  let stackConfigFile: string | undefined;
  if (args.charts !== undefined) {
    if (!fs.statSync(args.charts, { throwIfNoEntry: false })?.isDirectory()) {
      process.stderr.write(
        `preview:summary: --charts ${args.charts}: not a directory (a chart mirror: <dir>/<key>)\n`,
      );
      return 2;
    }
    try {
      stackConfigFile = stackFileWithMirror(args, args.charts);
    } catch (e) {
      process.stderr.write(`preview:summary: --charts: ${(e as Error).message}\n`);
      return 2;
    }
    for (const w of mirrorVersionWarnings({ mirror: args.charts })) {
      process.stderr.write(`preview:summary: warning: ${w}\n`);
    }
  }
  const run = await runPulumi(args, configFile, stackConfigFile);
  if (stackConfigFile) fs.rmSync(path.dirname(stackConfigFile), { recursive: true, force: true });
  if (args.saveJson) fs.writeFileSync(args.saveJson, run.stdout);
  let result: PreviewResult | undefined;
  let parseError: string | undefined = run.spawnError ? `could not run pulumi: ${run.spawnError}` : undefined;
  if (!run.spawnError) {
    try {
      result = parsePreviewOutput(run.stdout);
    } catch (e) {
      if (!(e instanceof PreviewParseError)) throw e;
      parseError = e.message;
    }
  }
  process.stdout.write(
    renderMarkdown(result, { stack: args.stack, exitCode: run.code, stderr: run.stderr, parseError }),
  );
  return verdict(result, run.code).failed ? EXIT.finding : EXIT.clean;
}

if (require.main === module) runMain("preview:summary", USAGE, () => main(process.argv.slice(2)));
