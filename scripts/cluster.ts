/**
 * npm run --silent cluster -- up [--name N] [--nodes K] [--service-cidr C] [--pod-cidr C]
 *                            down [--name N | --all]
 *                            status [--name N]
 *
 * A local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes)
 * built from Go modules by scripts/cluster-toolchain.sh. `up` prints one line on stdout,
 * `KUBECONFIG=<path>`; progress goes to stderr. See docs/local-cluster.md.
 *
 * Exit codes: 0 done, 1 the cluster failed (did not start, did not stop), 2 bad arguments.
 */
import {
  ClusterError,
  ClusterOptions,
  down,
  listClusters,
  status,
  up,
  validateName,
} from "./lib/local-cluster";
import { parseArgv, UsageError } from "./lib/cli";

const HELP = `usage: npm run --silent cluster -- <command> [options]

commands:
  up      start a local cluster (or whatever of it is not running); prints KUBECONFIG=<path>
  down    stop the processes 'up' started and remove the cluster's data
  status  show each component's pid, the API server's readiness, version and Ready nodes

options:
  --name N           cluster name (default: local); several clusters run side by side
  --nodes K          fake nodes to register with 'up' (default: 3, 1-50)
  --service-cidr C   service range for 'up' (default: 10.96.0.0/12)
  --pod-cidr C       pod range for 'up' (default: 10.244.0.0/16)
  --all              with 'down' or 'status': every local cluster
  -h, --help         this text

exit codes: 0 ok, 1 the cluster failed to start or stop, 2 bad arguments`;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function cidr(flag: string, v: string): string {
  const m = CIDR.exec(v);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 30 || Number(m[5]) < 8) {
    throw new UsageError(
      `${flag}: '${v}' is not an IPv4 CIDR with a prefix from /8 to /30 (e.g. 10.96.0.0/12)`,
    );
  }
  return v;
}

interface Parsed {
  command: "up" | "down" | "status";
  all: boolean;
  opts: ClusterOptions;
}

const COMMANDS = ["up", "down", "status"] as const;

const FLAGS = {
  name: { value: "N" },
  nodes: { value: "K" },
  "service-cidr": { value: "C" },
  "pod-cidr": { value: "C" },
  all: {},
} as const;

export function parseArgs(argv: string[]): Parsed | "help" {
  const { flags, positionals, help } = parseArgv(argv, FLAGS, { positionals: COMMANDS.join("|") });
  if (help) return "help";
  const opts: ClusterOptions = {
    name: flags.name ?? "local",
    nodes: 3,
    serviceCidr:
      flags["service-cidr"] === undefined ? "10.96.0.0/12" : cidr("--service-cidr", flags["service-cidr"]),
    podCidr: flags["pod-cidr"] === undefined ? "10.244.0.0/16" : cidr("--pod-cidr", flags["pod-cidr"]),
  };
  if (flags.nodes !== undefined) {
    const v = flags.nodes;
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 50)
      throw new UsageError(`--nodes: '${v}' is not an integer from 1 to 50`);
    opts.nodes = Number(v);
  }
  const all = flags.all === true;
  const unknown = positionals.find((p) => !(COMMANDS as readonly string[]).includes(p));
  if (unknown !== undefined)
    throw new UsageError(`unknown argument '${unknown}' (commands: up, down, status; see --help)`);
  if (positionals.length > 1)
    throw new UsageError(`one command at a time (got '${positionals[0]}' and '${positionals[1]}')`);
  const command = positionals[0] as Parsed["command"] | undefined;
  if (!command) throw new UsageError("a command is required: up, down or status (see --help)");
  try {
    validateName(opts.name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (all && command === "up") throw new UsageError("--all goes with down or status, not up");
  return { command, all, opts };
}

async function main(argv: string[]): Promise<number> {
  let parsed: Parsed | "help";
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`cluster: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (parsed === "help") {
    console.log(HELP);
    return 0;
  }
  const name = parsed.opts.name;
  const log = (m: string) => console.error(`[cluster ${name}] ${m}`);
  const names = parsed.all ? listClusters() : [parsed.opts.name];
  try {
    switch (parsed.command) {
      case "up": {
        const t0 = Date.now();
        const r = await up(parsed.opts, log);
        if (r.created)
          log(
            `created in ${((Date.now() - t0) / 1000).toFixed(1)} s (API server ready after ${r.state.readySeconds?.toFixed(1)} s)`,
          );
        else if (r.restarted.length === 0) log("already running; nothing to do");
        else log(`restarted ${r.restarted.join(", ")}`);
        console.log(`KUBECONFIG=${r.state.kubeconfig}`);
        return 0;
      }
      case "down":
        for (const n of names) {
          const existed = await down(n, (m) => console.error(`[cluster ${n}] ${m}`));
          console.error(
            `[cluster ${n}] ${existed ? "stopped and removed" : "no such cluster; nothing to do"}`,
          );
        }
        return 0;
      case "status": {
        let healthy = true;
        for (const n of names) {
          const s = await status(n);
          healthy &&= s.ready && s.components.every((c) => c.running);
          console.log(
            `${s.name}: ${s.ready ? "ready" : "NOT READY"} ${s.apiserver} ${s.version ?? ""} nodes-ready=${s.nodesReady}`,
          );
          for (const c of s.components)
            console.log(`  ${c.component.padEnd(24)} ${c.running ? "running" : "stopped"} ${c.pid ?? ""}`);
          console.log(`  KUBECONFIG=${s.kubeconfig}`);
        }
        if (names.length === 0) console.log("no local clusters");
        return healthy ? 0 : 1;
      }
    }
  } catch (e) {
    if (e instanceof ClusterError) {
      console.error(`cluster: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  // exitCode, not exit(): exit() can cut stdout short when it is a pipe (KUBECONFIG=... is read from it).
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(`cluster: internal error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 3;
    },
  );
}
