/**
 * `npm run charts:mirror -- --out <dir> [--from <dir>] [--k8s-openapi <swagger.json>]`
 *
 * Prepares a self-contained chart mirror for air-gapped installs (a stack's
 * `charts.mirror`, render's `--charts`): one unpacked chart per chart key, `<out>/<key>`.
 * Each chart is copied from `--from <dir>/<key>` when there, else pulled at its pinned
 * version with Helm (needs the repository to be reachable). Then every
 * `values.schema.json` (subcharts included) has its remote `$ref`s rewritten so Helm
 * validates values offline: a reference to a Kubernetes definition points at a local copy
 * of it from the Kubernetes OpenAPI document (by default the one of k8s.io/kubernetes at
 * the platform's Kubernetes version, from the Go module cache or proxy); any other is
 * dropped, and the values paths that lose validation are printed. Exit 0: the mirror is
 * complete; 1: some chart could not be had (listed); 2: bad arguments.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { CHART_KEYS, ChartKey, DEFAULT_CHARTS } from "../lib/charts";
import { Json, localiseSchema } from "./lib/chart-mirror";
import { parseArgv, UsageError } from "./lib/cli";

/** The Kubernetes version the platform targets; its API definitions validate chart values. */
export const KUBERNETES_MODULE = "k8s.io/kubernetes@v1.34.4";
const REPO = path.resolve(__dirname, "..");

const USAGE = `usage: charts:mirror --out <dir> [--from <dir>] [--k8s-openapi <swagger.json>]
  Copies <from>/<key> (or pulls the pinned chart with helm) to <out>/<key> for every chart key
  (${CHART_KEYS.join(", ")}), then makes every values.schema.json validate offline.`;

interface Args {
  out: string;
  from?: string;
  openapi?: string;
}

const FLAGS = {
  out: { value: "<dir>" },
  from: { value: "<dir>" },
  "k8s-openapi": { value: "<swagger.json>" },
} as const;

function parseArgs(argv: string[]): Args | "help" {
  const { flags, help } = parseArgv(argv, FLAGS);
  if (help) return "help";
  const resolved = (v: string | undefined) => (v === undefined ? undefined : path.resolve(v));
  const a = { out: resolved(flags.out), from: resolved(flags.from), openapi: resolved(flags["k8s-openapi"]) };
  if (!a.out) throw new UsageError("--out is required");
  if (a.from && !fs.statSync(a.from, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--from ${a.from}: not a directory`);
  }
  if (a.from && path.resolve(a.from) === path.resolve(a.out))
    throw new UsageError("--out must differ from --from");
  return { out: a.out, from: a.from, openapi: a.openapi };
}

/** The Kubernetes OpenAPI definitions: --k8s-openapi, else k8s.io/kubernetes's swagger.json via `go mod download`. */
function kubernetesDefinitions(file?: string): {
  source: string;
  definitions: Record<string, { [k: string]: Json }>;
} {
  let source = file;
  if (!source) {
    let dir: string;
    try {
      const out = execFileSync("go", ["mod", "download", "-json", KUBERNETES_MODULE], {
        cwd: os.tmpdir(),
        encoding: "utf8",
        env: { ...process.env, GOFLAGS: "-mod=mod", GO111MODULE: "on" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      dir = (JSON.parse(out) as { Dir: string }).Dir;
    } catch (e) {
      throw new Error(
        `cannot get the Kubernetes API definitions (go mod download ${KUBERNETES_MODULE}: ${(e as Error).message.split("\n")[0]}); ` +
          "pass --k8s-openapi <kubernetes api/openapi-spec/swagger.json>",
      );
    }
    source = path.join(dir, "api", "openapi-spec", "swagger.json");
  }
  const doc = JSON.parse(fs.readFileSync(source, "utf8")) as {
    definitions?: Record<string, { [k: string]: Json }>;
  };
  if (!doc.definitions)
    throw new Error(`${source}: no "definitions" (expected Kubernetes' OpenAPI v2 swagger.json)`);
  return { source, definitions: doc.definitions };
}

function helmBinary(): string {
  const local = path.join(REPO, ".toolchain", "bin", "helm");
  return fs.existsSync(local) ? local : "helm";
}

/** Pulls the pinned chart into <out>/<key>; returns an error text or undefined. */
function pull(key: ChartKey, out: string): string | undefined {
  const src = DEFAULT_CHARTS[key];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `chart-${key}-`));
  const args = [
    "pull",
    src.chart,
    "--untar",
    "--untardir",
    tmp,
    ...(src.version ? ["--version", src.version] : []),
  ];
  if (src.repository) args.push("--repo", src.repository);
  const r = spawnSync(helmBinary(), args, { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    return `helm pull ${src.chart} ${src.version ?? ""}: ${(r.stderr || String(r.error)).trim().split("\n").pop()}`;
  }
  const [dir] = fs.readdirSync(tmp);
  fs.cpSync(path.join(tmp, dir), path.join(out, key), { recursive: true });
  fs.rmSync(tmp, { recursive: true, force: true });
  return undefined;
}

function schemaFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => path.basename(f) === "values.schema.json")
    .map((f) => path.join(dir, f));
}

export function main(argv: string[]): number {
  let args: Args | "help";
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`charts:mirror: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  fs.mkdirSync(args.out, { recursive: true });
  const missing: string[] = [];
  for (const key of CHART_KEYS) {
    const target = path.join(args.out, key);
    fs.rmSync(target, { recursive: true, force: true });
    const local = args.from ? path.join(args.from, key) : undefined;
    if (local && fs.existsSync(path.join(local, "Chart.yaml"))) {
      fs.cpSync(local, target, { recursive: true, dereference: true });
    } else {
      const problem = pull(key, args.out);
      if (problem) {
        missing.push(`${key}: ${local ? `not in ${args.from}, and ` : ""}${problem}`);
        continue;
      }
    }
    const meta = parse(fs.readFileSync(path.join(target, "Chart.yaml"), "utf8")) as { version: string };
    const pinned = DEFAULT_CHARTS[key].version;
    const gap =
      pinned && meta.version.replace(/^v/, "") !== pinned.replace(/^v/, "") ? ` (pinned ${pinned})` : "";
    console.log(`charts:mirror: ${key}: ${meta.version}${gap}`);
  }

  let k8s: ReturnType<typeof kubernetesDefinitions> | undefined;
  for (const file of CHART_KEYS.flatMap((k) =>
    fs.existsSync(path.join(args.out, k)) ? schemaFiles(path.join(args.out, k)) : [],
  )) {
    const text = fs.readFileSync(file, "utf8");
    if (!/"\$ref"\s*:\s*"https?:\/\//.test(text)) continue;
    try {
      k8s ??= kubernetesDefinitions(args.openapi);
    } catch (e) {
      process.stderr.write(`charts:mirror: ${(e as Error).message}\n`);
      return 1;
    }
    const result = localiseSchema(JSON.parse(text) as { [k: string]: Json }, k8s.definitions);
    fs.writeFileSync(file, `${JSON.stringify(result.schema, null, 2)}\n`);
    const rel = path.relative(args.out, file);
    console.log(
      `charts:mirror: ${rel}: ${result.localised} remote $ref(s) now local (${result.copied.length} Kubernetes definitions from ${k8s.source})`,
    );
    for (const d of result.dropped) console.log(`charts:mirror: ${rel}: validation dropped at ${d}`);
  }
  if (missing.length > 0) {
    process.stderr.write(`charts:mirror: the mirror is incomplete:\n  ${missing.join("\n  ")}\n`);
    return 1;
  }
  console.log(
    `charts:mirror: ${args.out} holds ${CHART_KEYS.length} charts (use it as charts.mirror or --charts)`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
