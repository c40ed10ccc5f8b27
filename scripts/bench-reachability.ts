/**
 * Benchmark: our reachability analyser against np-guard's netpol-analyzer on
 * generated clusters of 100, 1,000 and 5,000 services in the style of the shop app
 * (per namespace: default-deny and allow-DNS; per service: a Deployment, an ingress
 * allow from each caller and an egress allow to each callee, some egress to an
 * external CIDR). Both run as child processes under /usr/bin/time -v (wall time, max
 * RSS). Ours is the CLI compiled once with tsc (not timed) and run with node, as it
 * would ship; the outputs are compared line by line (external suffix stripped).
 *
 * Then the connectivity diff: for sizes up to 1,000 (or those given), the diff of the
 * cluster and a changed copy (changeCluster: a new external range for every 50th service,
 * one ingress policy dropped, one workload added), ours (`reachability diff`) beside
 * netpol-analyzer `diff`, with the ratio of our diff time to our one-analysis time (each
 * the fastest of three runs, alternating).
 *
 *   npm run bench:reachability [-- 100 1000]     sizes (default 100 1000 5000)
 *   npm run bench:reachability -- --diff-only 100 1000   skip the list comparison (ours still timed)
 *   BENCH_NPA_TIMEOUT_S=600                      netpol-analyzer time limit per size and command
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgv, UsageError } from "./lib/cli";

const ROOT = path.resolve(__dirname, "..");
const USAGE =
  "usage: npm run bench:reachability -- [--diff-only] [<size>...]   (sizes default to 100 1000 5000)";
const NPA = path.join(ROOT, ".toolchain/bin/netpol-analyzer");
const TIME = "/usr/bin/time";
const NPA_TIMEOUT_S = Number(process.env.BENCH_NPA_TIMEOUT_S ?? 600);
const PER_NS = 50;

type Obj = Record<string, unknown>;

export function shopCluster(services: number): Obj[] {
  const objs: Obj[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: "kube-system" },
      spec: {
        selector: { matchLabels: { "k8s-app": "kube-dns" } },
        template: {
          metadata: { labels: { "k8s-app": "kube-dns" } },
          spec: {
            containers: [
              {
                name: "coredns",
                image: "coredns",
                ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }],
              },
            ],
          },
        },
      },
    },
  ];
  const nsOf = (i: number): string => `app-${Math.floor(i / PER_NS)}`;
  for (let n = 0; n * PER_NS < services; n++) {
    const ns = `app-${n}`;
    objs.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { tier: "apps" } } });
    objs.push(np(ns, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }));
    objs.push(
      np(ns, "allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { port: 53, protocol: "UDP" },
              { port: 53, protocol: "TCP" },
            ],
          },
        ],
      }),
    );
  }
  const peer = (from: number, to: number): Obj =>
    nsOf(from) === nsOf(to)
      ? { podSelector: { matchLabels: { app: `svc-${to}` } } }
      : {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": nsOf(to) } },
          podSelector: { matchLabels: { app: `svc-${to}` } },
        };
  for (let i = 0; i < services; i++) {
    const ns = nsOf(i);
    const app = `svc-${i}`;
    objs.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: app, namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels: { app, part: "shop" } },
          spec: {
            containers: [{ name: "app", image: "app", ports: [{ name: "http", containerPort: 8080 }] }],
          },
        },
      },
    });
    const callers = [i - 1, i - 7].filter((c) => c >= 0);
    const callees = [i + 1, i + 7].filter((c) => c < services);
    if (callers.length) {
      objs.push(
        np(ns, `${app}-ingress`, {
          podSelector: { matchLabels: { app } },
          policyTypes: ["Ingress"],
          ingress: [{ from: callers.map((c) => peer(i, c)), ports: [{ port: "http" }] }],
        }),
      );
    }
    const egress: Obj[] = callees.length
      ? [{ to: callees.map((c) => peer(i, c)), ports: [{ port: 8080 }] }]
      : [];
    if (i % 10 === 0) {
      egress.push({ to: [{ ipBlock: { cidr: `203.0.${(i / 10) % 256}.0/24` } }], ports: [{ port: 443 }] });
    }
    if (egress.length)
      objs.push(
        np(ns, `${app}-egress`, { podSelector: { matchLabels: { app } }, policyTypes: ["Egress"], egress }),
      );
  }
  return objs;
}

/**
 * The "after" of the diff benchmark: `shopCluster(services)` where every 50th service
 * may also reach 198.51.100.0/24 on 443, the ingress policy of svc-1 is gone (its
 * callers lose it), and one Deployment more.
 */
export function changeCluster(objs: Obj[]): Obj[] {
  const out = objs
    .filter((o) => !(o.kind === "NetworkPolicy" && (o.metadata as Obj).name === "svc-1-ingress"))
    .map((o) => {
      const m = /^svc-(\d+)-egress$/.exec(String((o.metadata as Obj).name));
      if (o.kind !== "NetworkPolicy" || !m || Number(m[1]) % 50 !== 0) return o;
      const spec = JSON.parse(JSON.stringify(o.spec)) as { egress: Obj[] };
      spec.egress.push({ to: [{ ipBlock: { cidr: "198.51.100.0/24" } }], ports: [{ port: 443 }] });
      return { ...o, spec };
    });
  out.push({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "added", namespace: "app-0" },
    spec: {
      selector: { matchLabels: { app: "added" } },
      template: {
        metadata: { labels: { app: "added", part: "shop" } },
        spec: { containers: [{ name: "app", image: "app" }] },
      },
    },
  });
  return out;
}

function np(namespace: string, name: string, spec: Obj): Obj {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

interface Measure {
  out: string;
  wallS: number;
  maxRssMiB: number;
  lines: number;
  timedOut: boolean;
  error?: string;
}

function measure(
  cmd: string,
  args: string[],
  timeoutS: number,
  outFile: string,
  okCodes: readonly number[] = [0],
): Measure {
  const t0 = Date.now();
  // timeout(1) kills the analyser itself at the limit; time(1) reports the largest RSS
  // of the processes it waited for, the analyser included.
  const r = spawnSync(
    TIME,
    ["-v", "-o", outFile + ".time", "timeout", "-s", "KILL", String(timeoutS), cmd, ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 1 << 30,
    },
  );
  const wallS = (Date.now() - t0) / 1000;
  const timedOut = r.status === 137 || r.status === 124;
  let maxRssMiB = NaN;
  let timeWall = wallS;
  if (fs.existsSync(outFile + ".time")) {
    const t = fs.readFileSync(outFile + ".time", "utf8");
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(t);
    if (rss) maxRssMiB = Number(rss[1]) / 1024;
    const el = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(t);
    if (el) timeWall = Number(el[1] ?? 0) * 3600 + Number(el[2]) * 60 + Number(el[3]);
  }
  const lines = (r.stdout ?? "").split("\n").filter(Boolean).length;
  const error =
    !timedOut && !okCodes.includes(r.status ?? -1)
      ? (r.stderr ?? "").trim().slice(0, 300) || `exit ${r.status}`
      : undefined;
  return { out: r.stdout ?? "", wallS: timeWall, maxRssMiB, lines, timedOut, error };
}

function main(): void {
  const args = parseArgv(process.argv.slice(2), { "diff-only": {} }, { positionals: "<size>..." });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const diffOnly = args.flags["diff-only"] === true;
  const sizes = args.positionals.map((s) => {
    if (!/^\d+$/.test(s) || Number(s) < 1)
      throw new UsageError(`'${s}' is not a size (a service count, e.g. 100)`);
    return Number(s);
  });
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install -y time`);
  const haveNpa = fs.existsSync(NPA);
  if (!haveNpa)
    console.log(`netpol-analyzer not built (${NPA}); build it with: bash scripts/netpol-analyzer.sh`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-reach-"));
  // Inside the repository so the compiled CLI finds node_modules (.state/ is gitignored).
  const build = path.join(ROOT, ".state/bench-reachability-build");
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "--outDir",
      build,
      "--rootDir",
      ROOT,
      "--module",
      "commonjs",
      "--target",
      "ES2022",
      "--skipLibCheck",
      "--types",
      "node",
      "--esModuleInterop",
      path.join(ROOT, "scripts/reachability.ts"),
    ],
    { encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  const cli = path.join(build, "scripts/reachability.js");
  console.log(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}`,
  );
  console.log(
    "| services | workloads | policies | ours wall s | ours max RSS MiB | netpol-analyzer wall s | netpol-analyzer max RSS MiB | time ratio (theirs/ours) | output lines ours / theirs |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const n of sizes.length ? sizes : [100, 1000, 5000]) {
    const dir = path.join(tmp, `n${n}`);
    fs.mkdirSync(dir);
    const objs = shopCluster(n);
    fs.writeFileSync(
      path.join(dir, "cluster.yaml"),
      JSON.stringify({ apiVersion: "v1", kind: "List", items: objs }),
    );
    const nPol = objs.filter((o) => o.kind === "NetworkPolicy").length;
    const nWl = objs.filter((o) => o.kind === "Deployment").length;
    const ours = measure(process.execPath, [cli, dir], 3600, path.join(tmp, `ours-${n}`));
    if (ours.error) throw new Error(`our analyser failed on ${n} services: ${ours.error}`);
    let theirs: Measure | undefined;
    if (haveNpa && !diffOnly)
      theirs = measure(NPA, ["list", "--dirpath", dir], NPA_TIMEOUT_S, path.join(tmp, `npa-${n}`));
    const tCell = !theirs
      ? "not run"
      : theirs.timedOut
        ? `> ${NPA_TIMEOUT_S} (killed at the time limit)`
        : theirs.error
          ? `failed: ${theirs.error}`
          : theirs.wallS.toFixed(2);
    const ratio =
      theirs && !theirs.error
        ? theirs.timedOut
          ? `> ${(NPA_TIMEOUT_S / ours.wallS).toFixed(1)}`
          : (theirs.wallS / ours.wallS).toFixed(1)
        : "n/a";
    const rss = theirs && !theirs.timedOut && !theirs.error ? theirs.maxRssMiB.toFixed(0) : "n/a";
    const ran = theirs && !theirs.timedOut && !theirs.error;
    const same = ran
      ? ours!.out.split("[External]").join("") === theirs!.out
        ? ", identical"
        : ", DIFFERENT"
      : "";
    const lines = `${ours.lines} / ${ran ? theirs!.lines : "n/a"}${same}`;
    console.log(
      `| ${n} | ${nWl} | ${nPol} | ${ours.wallS.toFixed(2)} | ${ours.maxRssMiB.toFixed(0)} | ${tCell} | ${rss} | ${ratio} | ${lines} |`,
    );
  }

  console.log("");
  console.log("Connectivity diff: the cluster against a changed copy (changeCluster)");
  console.log(
    "| services | ours diff wall s | ours diff max RSS MiB | ours one analysis wall s | diff / one analysis | netpol-analyzer diff wall s | netpol-analyzer diff max RSS MiB | output lines ours / theirs |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const n of sizes.length ? sizes : [100, 1000]) {
    const before = path.join(tmp, `n${n}`);
    const after = path.join(tmp, `n${n}-changed`);
    fs.mkdirSync(after);
    fs.writeFileSync(
      path.join(after, "cluster.yaml"),
      JSON.stringify({ apiVersion: "v1", kind: "List", items: changeCluster(shopCluster(n)) }),
    );
    // Ours three times each, diff and one analysis (of the changed cluster) alternating, the
    // fastest of each kept: at these sizes node's start-up and the shared machine's load drift
    // weigh as much as the work.
    let ours: Measure | undefined;
    let one = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const d = measure(
        process.execPath,
        [cli, "diff", before, after],
        3600,
        path.join(tmp, `od-${n}`),
        [0, 1],
      );
      if (d.error) throw new Error(`our diff failed on ${n} services: ${d.error}`);
      if (!ours || d.wallS < ours.wallS) ours = d;
      const single = measure(process.execPath, [cli, after], 3600, path.join(tmp, `oa-${n}`));
      if (single.error) throw new Error(`our analyser failed on ${n} services (changed): ${single.error}`);
      one = Math.min(one, single.wallS);
    }
    const theirs = haveNpa
      ? measure(NPA, ["diff", "--dir1", before, "--dir2", after], NPA_TIMEOUT_S, path.join(tmp, `npd-${n}`))
      : undefined;
    const ran = theirs && !theirs.timedOut && !theirs.error;
    const tCell = !theirs
      ? "not run"
      : theirs.timedOut
        ? `> ${NPA_TIMEOUT_S} (killed at the time limit)`
        : theirs.error
          ? `failed: ${theirs.error}`
          : theirs.wallS.toFixed(2);
    const same = ran
      ? ours!.out.split("[External]").join("") === theirs!.out
        ? ", identical"
        : ", DIFFERENT"
      : "";
    console.log(
      `| ${n} | ${ours!.wallS.toFixed(2)} | ${ours!.maxRssMiB.toFixed(0)} | ${one.toFixed(2)} | ${(ours!.wallS / one).toFixed(2)}x | ${tCell} | ${ran ? theirs!.maxRssMiB.toFixed(0) : "n/a"} | ${ours!.lines} / ${ran ? theirs!.lines : "n/a"}${same} |`,
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench:reachability: ${e.message}\n${USAGE}`);
    process.exitCode = 2;
  }
}
