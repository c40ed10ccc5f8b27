/**
 * `npm run --silent bench:engine -- [--sizes 4,100,1000] [--quick] [--keep] [--profile <dir>]`
 *
 * The program on the real engine: the Pulumi CLI, the Node.js language host and the
 * Kubernetes provider built by scripts/toolchain.sh, the dev stack with the real add-on
 * charts (the prepared mirror .toolchain/charts), and the shop app scaled to each size
 * (scripts/lib/scaled-app.ts). Render mode: objects are written as YAML, charts are
 * rendered against the local `render` cluster (scripts/lib/local-cluster.ts); a live
 * `up` to the local control plane is out of reach at 1,000 services on this machine
 * (docs/local-cluster.md: ~4 min for the 4-service dev stack).
 *
 * For each size, side by side:
 *   ours   scripts/bench-engine/program.ts (index.ts with the scaled app)
 *   flat   scripts/bench-engine/flat.ts: one yaml/v2 ConfigGroup over the manifests ours
 *          rendered (the same objects, no planning, no components), the floor
 * each: the first `up --skip-preview` with the policy pack, then `preview` with no
 * changes with the pack and without it. Printed: wall time, peak RSS (VmHWM, sampled
 * from /proc over the CLI's process tree) of the CLI, the program's node process, the
 * provider(s) and the policy pack's node process, resources in the state, ms per
 * resource; then the ratios ours/flat, pack/no pack and ms per resource largest/previous size.
 *
 * --quick: the 4-service size only (a smoke run). --keep: keep the workspaces (printed).
 * --profile <dir>: node --cpu-prof for the program and the pack, the engine's
 * --tracing file:<dir>/<run>.trace, for finding where the time goes.
 *
 * Exit codes: 0 every run succeeded, 1 a run failed, 2 bad arguments, 3 internal error.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { EXIT, UsageError, exitCodesHelp, parseArgv, runMain } from "./lib/cli";
import { REPO, policyPackArgs, prepareWorkspace, renderClusterKubeconfig, Workspace } from "./lib/workspace";

const USAGE = `usage: npm run --silent bench:engine -- [--sizes N,N,...] [--quick] [--keep] [--profile <dir>]

  --sizes N,...     app sizes in services, 1-5000 each (default: 4,100,1000)
  --quick           the 4-service size only (unless --sizes is given)
  --keep            keep the temporary workspaces and print where they are
  --profile <dir>   write CPU profiles (program, pack) and engine traces into <dir>
${exitCodesHelp("a Pulumi run failed")}`;

export interface BenchArgs {
  sizes: number[];
  keep: boolean;
  profile?: string;
}

const FLAGS = { sizes: { value: "N,N,..." }, quick: {}, keep: {}, profile: { value: "<dir>" } } as const;

export function parseBenchArgs(argv: string[]): BenchArgs | "help" {
  const { flags, help } = parseArgv(argv, FLAGS);
  if (help) return "help";
  let sizes: number[] | undefined;
  if (flags.sizes !== undefined) {
    const v = flags.sizes;
    sizes = v.split(",").map((s) => {
      const n = Number(s.trim());
      if (!/^\d+$/.test(s.trim()) || n < 1 || n > 5000) {
        throw new UsageError(`--sizes: '${s}' is not a service count from 1 to 5000 (e.g. --sizes 4,100)`);
      }
      return n;
    });
    if (new Set(sizes).size !== sizes.length) throw new UsageError(`--sizes: '${v}' repeats a size`);
  }
  return {
    sizes: sizes ?? (flags.quick ? [4] : [4, 100, 1000]),
    keep: flags.keep === true,
    profile: flags.profile === undefined ? undefined : path.resolve(flags.profile),
  };
}

/** The processes of a run, by role. */
export type Role = "cli" | "program" | "provider" | "pack" | "other";

/** Which part of the engine a process of the CLI's tree is, from its command line. */
export function roleOf(argv: string[]): Role {
  const exe = path.basename(argv[0] ?? "");
  if (exe === "pulumi") return "cli";
  if (exe.startsWith("pulumi-resource-")) return "provider";
  if (exe === "node" || exe.startsWith("node")) {
    return argv.some((a) => a.includes("run-policy-pack")) ? "pack" : "program";
  }
  return "other";
}

interface Run {
  ms: number;
  code: number;
  /** Peak RSS in MiB, summed over the processes of each role (each process's VmHWM). */
  peakMiB: Record<Role, number>;
  tail: string;
}

function procTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/** Runs `pulumi args` in the workspace, sampling its process tree's peak RSS every 200 ms. */
function runPulumi(ws: Workspace, args: string[], env: NodeJS.ProcessEnv, log: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(log, "w");
    const start = process.hrtime.bigint();
    const child = spawn("pulumi", [...args, "--non-interactive"], {
      cwd: ws.dir,
      env: { ...ws.env, ...env },
      stdio: ["ignore", out, out],
    });
    const seen = new Map<number, { role: Role; hwmKiB: number }>();
    const sample = () => {
      if (child.pid === undefined) return;
      for (const pid of procTree(child.pid)) {
        try {
          let p = seen.get(pid);
          if (!p) {
            const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
            p = { role: roleOf(argv), hwmKiB: 0 };
            seen.set(pid, p);
          }
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
          if (m) p.hwmKiB = Math.max(p.hwmKiB, Number(m[1]));
        } catch {
          // the process ended between listing and reading
        }
      }
    };
    const timer = setInterval(sample, 200);
    child.on("error", (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on("exit", (code) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      fs.closeSync(out);
      const peakMiB: Record<Role, number> = { cli: 0, program: 0, provider: 0, pack: 0, other: 0 };
      for (const p of seen.values()) peakMiB[p.role] += p.hwmKiB / 1024;
      const text = fs.readFileSync(log, "utf8");
      resolve({ ms, code: code ?? -1, peakMiB, tail: text.slice(-2000) });
    });
  });
}

/** Resources in the stack's state (the Stack resource and providers included). */
function stateResources(ws: Workspace): number {
  const r = ws.pulumi(["stack", "export"], 600_000);
  if (r.code !== 0) throw new Error(`pulumi stack export failed: ${r.stderr}`);
  return (
    (JSON.parse(r.stdout) as { deployment: { resources?: unknown[] } }).deployment.resources?.length ?? 0
  );
}

interface Row {
  n: number;
  variant: "ours" | "flat";
  step: "up+pack" | "preview+pack" | "preview";
  resources: number;
  run: Run;
}

const fmt = (x: number, d = 0) => x.toFixed(d);

function printRow(r: Row): void {
  const m = r.run.peakMiB;
  console.log(
    [
      String(r.n).padStart(6),
      r.variant.padEnd(5),
      r.step.padEnd(13),
      String(r.resources).padStart(6),
      fmt(r.run.ms / 1000, 1).padStart(8),
      (r.resources > 0 ? fmt(r.run.ms / r.resources, 1) : "-").padStart(7),
      fmt(m.cli).padStart(5),
      fmt(m.program).padStart(8),
      fmt(m.provider).padStart(9),
      fmt(m.pack).padStart(5),
      r.run.code === 0 ? "ok" : `exit ${r.run.code}`,
    ].join("  "),
  );
}

/**
 * The benchmark's entry points are .ts mains: transpiled only, as index.js makes the
 * program (the pack's own shim does the same for it), so the runs compare like with like.
 */
const TRANSPILE_ONLY = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };

async function bench(a: BenchArgs): Promise<number> {
  const mirror = path.join(REPO, ".toolchain", "charts");
  if (!fs.existsSync(path.join(mirror, "istiod", "Chart.yaml"))) {
    throw new UsageError(
      `no prepared chart mirror at ${mirror}: npm run --silent charts:mirror -- --out .toolchain/charts --from ../shared/charts`,
    );
  }
  if (a.profile) fs.mkdirSync(a.profile, { recursive: true });
  const kubeconfig = renderClusterKubeconfig();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "netplat-bench-engine-"));
  const rows: Row[] = [];
  let failed = false;
  console.log("render mode, dev stack, real charts; peak RSS in MiB (VmHWM, summed per role)");
  console.log("  size  prog   step           res.   wall s  ms/res    cli  program  provider  pack");
  try {
    for (const n of a.sizes) {
      const wss: Record<"ours" | "flat", Workspace | undefined> = { ours: undefined, flat: undefined };
      // Node refuses --cpu-prof in NODE_OPTIONS: it goes in the runtime's `nodeargs`
      // option, of the program (Pulumi.yaml) and of the pack (PulumiPolicy.yaml).
      const profileArgs = (ws: Workspace, name: string) => {
        if (!a.profile) return;
        for (const [file, role] of [
          ["Pulumi.yaml", "program"],
          [path.join("policy-pack", "PulumiPolicy.yaml"), "pack"],
        ] as const) {
          const f = path.join(ws.dir, file);
          const doc = parse(fs.readFileSync(f, "utf8"));
          const runtime = typeof doc.runtime === "string" ? { name: doc.runtime } : doc.runtime;
          runtime.options = {
            ...runtime.options,
            nodeargs: `--cpu-prof --cpu-prof-dir=${path.join(a.profile, `${name}-${role}`)}`,
          };
          doc.runtime = runtime;
          fs.writeFileSync(f, stringify(doc));
        }
      };
      const tracing = (name: string) =>
        a.profile ? [`--tracing`, `file:${path.join(a.profile, `${name}.trace`)}`] : [];
      const step = async (variant: "ours" | "flat", s: Row["step"]): Promise<void> => {
        const ws = wss[variant]!;
        const name = `${n}-${variant}-${s.replace("+", "-")}`;
        const args =
          s === "up+pack"
            ? ["up", "--yes", "--skip-preview", ...policyPackArgs("dev")]
            : s === "preview+pack"
              ? ["preview", ...policyPackArgs("dev")]
              : ["preview"];
        profileArgs(ws, name);
        const run = await runPulumi(ws, [...args, ...tracing(name)], {}, path.join(tmp, `${name}.log`));
        const resources =
          s === "up+pack"
            ? stateResources(ws)
            : (rows.find((r) => r.n === n && r.variant === variant)?.resources ?? 0);
        const row = { n, variant, step: s, resources, run };
        rows.push(row);
        printRow(row);
        if (run.code !== 0) {
          failed = true;
          console.log(`    ${name} failed; last output:\n${run.tail.replace(/^/gm, "    | ")}`);
        }
      };
      wss.ours = prepareWorkspace({
        stack: "dev",
        root: path.join(tmp, `ours-${n}`),
        fixtureCharts: false,
        chartMirror: mirror,
        main: "scripts/bench-engine/program.ts",
        extraEnv: { ...TRANSPILE_ONLY, KUBECONFIG: kubeconfig, NETPLAT_BENCH_SERVICES: String(n) },
      });
      await step("ours", "up+pack");
      wss.flat = prepareWorkspace({
        stack: "dev",
        root: path.join(tmp, `flat-${n}`),
        fixtureCharts: false,
        main: "scripts/bench-engine/flat.ts",
        extraEnv: {
          ...TRANSPILE_ONLY,
          KUBECONFIG: kubeconfig,
          NETPLAT_BENCH_MANIFESTS: wss.ours.renderDir,
          NETPLAT_BENCH_RENDER: path.join(tmp, `flat-${n}`, "manifests"),
        },
      });
      await step("flat", "up+pack");
      // Alternating, so that a change of load on the shared machine hits both sides.
      for (const s of ["preview+pack", "preview"] as const) {
        await step("ours", s);
        await step("flat", s);
      }
    }
  } finally {
    if (a.keep) console.log(`workspaces and logs kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  printRatios(rows, a.sizes);
  return failed ? EXIT.finding : EXIT.clean;
}

export function ratios(rows: Row[], sizes: number[]): string[] {
  const get = (n: number, v: Row["variant"], s: Row["step"]) =>
    rows.find((r) => r.n === n && r.variant === v && r.step === s && r.run.code === 0);
  const lines: string[] = [];
  const ratio = (x?: Row, y?: Row) => (x && y ? `${(x.run.ms / y.run.ms).toFixed(2)}x` : "n/a");
  for (const n of sizes) {
    lines.push(
      `${n} services: ours/flat up+pack ${ratio(get(n, "ours", "up+pack"), get(n, "flat", "up+pack"))}, ` +
        `preview+pack ${ratio(get(n, "ours", "preview+pack"), get(n, "flat", "preview+pack"))}, ` +
        `preview ${ratio(get(n, "ours", "preview"), get(n, "flat", "preview"))}; ` +
        `pack/no pack preview: ours ${ratio(get(n, "ours", "preview+pack"), get(n, "ours", "preview"))}, ` +
        `flat ${ratio(get(n, "flat", "preview+pack"), get(n, "flat", "preview"))}`,
    );
  }
  const sorted = [...sizes].sort((x, y) => x - y);
  for (let i = 1; i < sorted.length; i++) {
    const [lo, hi] = [sorted[i - 1], sorted[i]];
    const per = (r?: Row) => (r ? r.run.ms / r.resources : undefined);
    const parts = (["up+pack", "preview+pack", "preview"] as const).map((s) => {
      const h = per(get(hi, "ours", s));
      const l = per(get(lo, "ours", s));
      return `${s} ${h !== undefined && l !== undefined ? (h / l).toFixed(2) + "x" : "n/a"}`;
    });
    lines.push(`ms/resource, ours, ${hi} vs ${lo} services: ${parts.join(", ")}`);
  }
  return lines;
}

function printRatios(rows: Row[], sizes: number[]): void {
  console.log("\nratios (wall time, same run):");
  for (const l of ratios(rows, sizes)) console.log(`  ${l}`);
}

if (require.main === module) {
  runMain("bench:engine", USAGE, () => {
    const a = parseBenchArgs(process.argv.slice(2));
    if (a === "help") {
      console.log(USAGE);
      return EXIT.clean;
    }
    return bench(a);
  });
}
