/**
 * Captures the connectivity fixtures of test/fixtures/preview/ from the real engine
 * (the toolchain of scripts/toolchain.sh), offline, the way the integration suite runs
 * it: render mode, fixture charts, the policy pack enforced. For each stack it runs
 * `pulumi up` of the committed config (the "deployed" state), then one streamed
 * `pulumi preview --json` per change, and writes each event stream, trimmed, as
 * `<name>.events.jsonl` with its exit code in `<name>.exit`.
 *
 *   source scripts/pulumi-env.sh && npx ts-node --transpile-only test/tools/capture-preview-fixtures.ts [name...]
 *
 * Trimmed: resource states keep `urn`, `type` and, for the kinds the connectivity diff
 * reads (Namespace, NetworkPolicy, workloads, the traffic-intent ConfigMap), `inputs`;
 * outputs, `resOutputsEvent`s, debug diagnostics and policy summary events are dropped,
 * and the config value is replaced by "(trimmed)".
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHOP_APP } from "../../lib/shop";
import { REPO, policyPackArgs, prepareWorkspace, type PlatformPatch } from "../../scripts/lib/workspace";

const OUT = path.join(REPO, "test", "fixtures", "preview");
const KEEP_INPUTS =
  /:(Namespace|NetworkPolicy|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod|ConfigMap)$/;

interface Change {
  name: string;
  stack: string;
  patch?: PlatformPatch;
  /** Edits the workspace's copy of the program (never the repository). */
  edit?: (dir: string) => void;
}

const edges = (p: Record<string, unknown>): string[] =>
  ((p.app as { edges?: string[] }).edges ??= [...SHOP_APP.edges]);

const CHANGES: Change[] = [
  {
    name: "prod-add-edge",
    stack: "prod",
    patch: (p) => edges(p).push("frontend -> payment:8080"),
  },
  {
    name: "prod-remove-edge",
    stack: "prod",
    patch: (p) => {
      const e = edges(p);
      e.splice(e.indexOf("orders -> events:9092"), 1);
    },
  },
  {
    name: "prod-no-connectivity-change",
    stack: "prod",
    patch: (p) => {
      const app = p.app as { services?: Record<string, Record<string, unknown>> };
      app.services = { ...app.services, orders: { image: "ghcr.io/example/orders:2.4.2" } };
    },
  },
  {
    // A NetworkPolicy widened by hand (not through the intent): the program's copy in
    // the workspace compiles frontend -> orders with ports 8080-8090.
    name: "prod-unintended-port",
    stack: "prod",
    edit: (dir) => {
      const file = path.join(dir, "lib", "intent", "network-policies.ts");
      const src = fs.readFileSync(file, "utf8");
      const from = 'const rule = { [direction === "Ingress" ? "from" : "to"]: peers, ports };';
      if (!src.includes(from)) throw new Error(`lib/intent/network-policies.ts no longer has: ${from}`);
      fs.writeFileSync(
        file,
        src.replace(
          from,
          'const rule = { [direction === "Ingress" ? "from" : "to"]: peers, ports: name.startsWith("allow-frontend-to-orders-") ? [{ protocol: "TCP" as const, port: 8080, endPort: 8090 }] : ports };',
        ),
      );
    },
  },
  {
    // frontend (us-east-1) -> payment (us-west-2): one cluster's egress changes.
    name: "multi-cluster-add-edge",
    stack: "multi-cluster",
    patch: (p) => edges(p).push("frontend -> payment:8080"),
  },
];

type Json = Record<string, unknown>;

function trimState(s: unknown): unknown {
  if (typeof s !== "object" || s === null) return s;
  const st = s as Json;
  const out: Json = { urn: st.urn, type: st.type };
  if (typeof st.type === "string" && KEEP_INPUTS.test(st.type)) {
    const inputs = st.inputs as Json | undefined;
    const kind = st.type.split(":").pop();
    const labels = ((inputs?.metadata as Json | undefined)?.labels ?? {}) as Json;
    if (kind !== "ConfigMap" || "netplat.dev/traffic-intent" in labels) out.inputs = inputs;
  }
  return out;
}

function trim(stdout: string): string {
  const lines: string[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as Json;
    if (e.resOutputsEvent) continue;
    if (Object.keys(e).some((k) => k.endsWith("SummaryEvent") && k !== "summaryEvent")) continue;
    const d = e.diagnosticEvent as Json | undefined;
    if (d && (d.severity === "debug" || d.severity === "info#err")) continue;
    const prelude = e.preludeEvent as Json | undefined;
    if (prelude) prelude.config = { "k8s-netplat:platform": "(trimmed)" };
    const meta = (e.resourcePreEvent as Json | undefined)?.metadata as Json | undefined;
    if (meta) {
      meta.old = trimState(meta.old);
      meta.new = trimState(meta.new);
    }
    lines.push(JSON.stringify(e));
  }
  return lines.join("\n") + "\n";
}

function main(names: string[]): void {
  const chosen = names.length ? CHANGES.filter((c) => names.includes(c.name)) : CHANGES;
  const roots = new Map<string, string>();
  for (const c of chosen) {
    let root = roots.get(c.stack);
    if (!root) {
      root = fs.mkdtempSync(path.join(os.tmpdir(), `capture-${c.stack}-`));
      roots.set(c.stack, root);
      const ws = prepareWorkspace({ stack: c.stack, root, fixtureCharts: true });
      process.stderr.write(`capture: pulumi up --stack ${c.stack} (in ${ws.dir})\n`);
      const up = ws.pulumi(["up", "--yes", "--stack", c.stack, ...policyPackArgs(c.stack)]);
      if (up.code !== 0)
        throw new Error(`pulumi up ${c.stack} failed:\n${up.stderr}\n${up.stdout.slice(-3000)}`);
    }
    const ws = prepareWorkspace({ stack: c.stack, root, fixtureCharts: true, patch: c.patch });
    c.edit?.(ws.dir);
    process.stderr.write(`capture: ${c.name}: pulumi preview --json (in ${ws.dir})\n`);
    const r = spawnSync(
      "pulumi",
      ["preview", "--stack", c.stack, "--json", "--non-interactive", ...policyPackArgs(c.stack)],
      {
        cwd: ws.dir,
        env: { ...ws.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" },
        encoding: "utf8",
        maxBuffer: 256 * 2 ** 20,
        timeout: 900_000,
      },
    );
    if (r.error) throw r.error;
    fs.writeFileSync(path.join(OUT, `${c.name}.events.jsonl`), trim(r.stdout));
    fs.writeFileSync(path.join(OUT, `${c.name}.exit`), `${r.status}\n`);
    process.stderr.write(`capture: ${c.name}: pulumi exited ${r.status}\n`);
  }
  for (const root of roots.values()) fs.rmSync(root, { recursive: true, force: true });
}

main(process.argv.slice(2));
