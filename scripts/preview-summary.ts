/**
 * Runs `pulumi preview` for a stack with the CrossGuard pack and prints a Markdown summary for a
 * pull-request comment (see docs/preview-in-ci.md).
 *
 *   npm run --silent preview:summary -- --stack <s> [--cwd <project dir>] [--policy-pack-config <file>]
 *                                        [--from-json <file>] [--save-json <file>]
 *
 * The comment starts with what the change does to connectivity in each cluster (paths opened and
 * closed, intended or not against the traffic intent; scripts/lib/preview-connectivity.ts).
 *
 * Exit codes: 0 the preview succeeded; 1 it failed (pulumi exited non-zero, an error diagnostic, a
 * mandatory policy violation, an unintended connectivity change, unreadable pulumi output); 2 bad
 * arguments or an unreadable --from-json file.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  parsePreviewOutput,
  PreviewParseError,
  renderMarkdown,
  verdict,
  type PreviewResult,
} from "./lib/preview-summary";

const USAGE = `usage: preview:summary --stack <name> [--cwd <dir>] [--policy-pack-config <file>] [--from-json <file>] [--save-json <file>]
  Runs, in --cwd (default: the repository root):
    pulumi preview --stack <name> --json --policy-pack policy-pack --policy-pack-config <file>
  with PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true (the default --json digest has no policy events);
  --policy-pack-config defaults to policy-pack/config/<name>.json. Prints a Markdown summary on stdout.
  --from-json <file|->  summarise a saved \`pulumi preview --json\` output (digest or event stream) instead.
  --save-json <file>    also write pulumi's raw JSON output there.
  The summary starts with the connectivity each cluster gains and loses (intended or not).
  Exit 0: preview succeeded; 1: preview failed (incl. mandatory policy violations and unintended
  connectivity changes); 2: bad arguments.`;

const ROOT = path.join(__dirname, "..");

class UsageError extends Error {}

interface Args {
  stack: string;
  cwd: string;
  policyPackConfig?: string;
  fromJson?: string;
  saveJson?: string;
}

function parseArgs(argv: string[]): Args | "help" {
  let stack: string | undefined;
  const args: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (flag: string): string => {
      const eq = a.indexOf("=");
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const is = (flag: string) => a === flag || a.startsWith(`${flag}=`);
    if (a === "-h" || a === "--help") return "help";
    else if (is("--stack")) stack = value("--stack");
    else if (is("--cwd")) args.cwd = value("--cwd");
    else if (is("--policy-pack-config")) args.policyPackConfig = value("--policy-pack-config");
    else if (is("--from-json")) args.fromJson = value("--from-json");
    else if (is("--save-json")) args.saveJson = value("--save-json");
    else if (a === "--") continue;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!stack) throw new UsageError("--stack is required");
  if (!/^[A-Za-z0-9._\-/]+$/.test(stack)) throw new UsageError(`--stack "${stack}" is not a stack name`);
  return { ...args, stack, cwd: path.resolve(args.cwd ?? ROOT) };
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  spawnError?: string;
}

function runPulumi(args: Args, configFile: string): Promise<Run> {
  const argv = [
    "preview",
    "--stack",
    args.stack,
    "--json",
    "--policy-pack",
    "policy-pack",
    "--policy-pack-config",
    configFile,
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
  let args: Args | "help";
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`preview:summary: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
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
      return 2;
    }
    process.stdout.write(renderMarkdown(result, { stack: args.stack }));
    return verdict(result).failed ? 1 : 0;
  }

  const configFile = args.policyPackConfig ?? path.join("policy-pack", "config", `${args.stack}.json`);
  if (!fs.existsSync(path.resolve(args.cwd, configFile))) {
    process.stderr.write(`preview:summary: policy pack config ${configFile} not found in ${args.cwd}\n`);
    return 2;
  }
  if (!fs.existsSync(path.join(args.cwd, "policy-pack"))) {
    process.stderr.write(`preview:summary: no policy-pack folder in ${args.cwd}\n`);
    return 2;
  }
  const run = await runPulumi(args, configFile);
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
  return verdict(result, run.code).failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`preview:summary: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
