/**
 * A local Kubernetes control plane for offline runs: etcd, kube-apiserver (loopback,
 * TLS, RBAC, generated certificates and service-account keys), kube-controller-manager,
 * kube-scheduler, and kwok standing in for nodes and kubelets. Binaries come from
 * scripts/cluster-toolchain.sh. Each named cluster lives in .clusters/<name>/ (PKI,
 * etcd data, logs, kubeconfigs, state.json with the pids and ports it started), so
 * several clusters run side by side and `down` stops exactly what `up` started.
 *
 * What it is not: pods run by kwok run nothing, so admission webhooks, metrics and
 * LoadBalancer addresses are never served (see docs/local-cluster.md).
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { stringify } from "yaml";

export const REPO = path.resolve(__dirname, "..", "..");
export const CLUSTERS_DIR = process.env.NETPLAT_CLUSTERS_DIR ?? path.join(REPO, ".clusters");
export const BIN = path.join(REPO, ".toolchain", "cluster", "bin");
const STAGES = path.join(__dirname, "kwok-stages.yaml");
/** The address every fake node (and every hostNetwork pod on one) reports. */
export const FAKE_NODE_IP = "192.0.2.10";

/** The components, in start order; each is one process. */
export const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ClusterOptions {
  name: string;
  /** Fake nodes to register (kwok); at least 1. */
  nodes: number;
  /** Service range (--service-cluster-ip-range); match the stack's cluster.serviceCidr. */
  serviceCidr: string;
  /** Pod range, carved into per-node podCIDRs; match the stack's cluster.podCidr. */
  podCidr: string;
}

export interface ClusterState {
  name: string;
  options: ClusterOptions;
  ports: Record<"etcd" | "etcdPeer" | "apiserver" | "controllerManager" | "scheduler" | "kwok", number>;
  pids: Partial<Record<Component, number>>;
  kubeconfig: string;
  /** Seconds from `up` to /readyz answering ok, as measured when the cluster was created. */
  readySeconds?: number;
}

export class ClusterError extends Error {}

const NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export function validateName(name: string): string {
  if (!NAME.test(name)) {
    throw new ClusterError(
      `invalid cluster name '${name}': use 1-40 lowercase letters, digits and '-' (not at either end)`,
    );
  }
  return name;
}

export const clusterDir = (name: string) => path.join(CLUSTERS_DIR, validateName(name));
const statePath = (name: string) => path.join(clusterDir(name), "state.json");

export function readState(name: string): ClusterState | undefined {
  const p = statePath(name);
  if (!fs.existsSync(p)) return undefined;
  return JSON.parse(fs.readFileSync(p, "utf8")) as ClusterState;
}

function writeState(s: ClusterState): void {
  fs.writeFileSync(statePath(s.name), JSON.stringify(s, null, 2) + "\n", { mode: 0o600 });
}

export function listClusters(): string[] {
  if (!fs.existsSync(CLUSTERS_DIR)) return [];
  return fs
    .readdirSync(CLUSTERS_DIR)
    .filter((n) => NAME.test(n) && fs.existsSync(statePath(n)))
    .sort();
}

// ---- binaries ----------------------------------------------------------------------------

export function binaryPath(c: Component): string {
  // Every component from the build, etcd included: a Debian etcd on PATH (3.4) lacks
  // RequestWatchProgress, and kwok then falls minutes behind (docs/local-cluster.md).
  const p = path.join(BIN, c);
  if (!fs.existsSync(p)) {
    throw new ClusterError(
      `${p} is missing: build the local control plane with bash scripts/cluster-toolchain.sh`,
    );
  }
  return p;
}

/** The Kubernetes version the built binaries report (from the cluster-toolchain stamp). */
export function pinnedKubernetesVersion(): string {
  const stamp = path.join(REPO, ".toolchain", "cluster", "toolchain.stamp");
  const m = fs.existsSync(stamp) ? /^kubernetes=(v[0-9.]+)$/m.exec(fs.readFileSync(stamp, "utf8")) : null;
  if (m) return m[1];
  const gomod = fs.readFileSync(path.join(REPO, "toolchain", "cluster", "go.mod"), "utf8");
  const r = /^require k8s\.io\/kubernetes (v[0-9.]+)$/m.exec(gomod);
  if (!r)
    throw new ClusterError("cannot read the pinned k8s.io/kubernetes version from toolchain/cluster/go.mod");
  return r[1];
}

// ---- PKI (openssl) -----------------------------------------------------------------------

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** The first address of a service range: the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(cidr: string): string {
  const [ip] = cidr.split("/");
  const n = ip.split(".").reduce((a, o) => a * 256 + Number(o), 0) + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

function makePki(dir: string, serviceCidr: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "30",
      "-subj",
      "/CN=netplat-local-ca",
    ],
    dir,
  );
  const leaf = (name: string, subj: string, ext: string) => {
    openssl(["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj], dir);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "30",
        "-extfile",
        `${name}.ext`,
      ],
      dir,
    );
    fs.rmSync(path.join(dir, `${name}.csr`));
    fs.rmSync(path.join(dir, `${name}.ext`));
  };
  const client = "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";
  leaf(
    "apiserver",
    "/CN=kube-apiserver",
    "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
      `subjectAltName=IP:127.0.0.1,IP:${firstServiceIp(serviceCidr)},DNS:localhost,DNS:kubernetes,` +
      "DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n",
  );
  // Each component authenticates as the user the built-in RBAC bindings expect.
  leaf("admin", "/O=system:masters/CN=netplat-admin", client);
  leaf("controller-manager", "/CN=system:kube-controller-manager", client);
  leaf("scheduler", "/CN=system:kube-scheduler", client);
  leaf("kwok", "/O=system:masters/CN=kwok-controller", client);
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "sa.key"], dir);
  openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  for (const f of fs.readdirSync(dir)) if (f.endsWith(".key")) fs.chmodSync(path.join(dir, f), 0o600);
}

function kubeconfig(name: string, server: string, pki: string, user: string): string {
  const b64 = (f: string) => fs.readFileSync(path.join(pki, f)).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": b64("ca.crt") } }],
    users: [
      {
        name: `${name}-${user}`,
        user: { "client-certificate-data": b64(`${user}.crt`), "client-key-data": b64(`${user}.key`) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: `${name}-${user}` } }],
    "current-context": name,
  });
}

// ---- ports -------------------------------------------------------------------------------

function freePort(taken: Set<number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => (taken.has(port) ? freePort(taken).then(resolve, reject) : resolve(port)));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.setTimeout(1000);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("timeout", () => (s.destroy(), resolve(false)));
    s.once("error", () => resolve(false));
  });
}

// ---- processes ---------------------------------------------------------------------------

/** Alive and still the process we started (pids are reused): its command line names our cluster dir or binary. */
export function ownProcessAlive(pid: number | undefined, c: Component, dir: string): boolean {
  if (!pid) return false;
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    if (/\) Z /.test(stat)) return false; // a zombie is not running
    return cmd.includes(dir) && cmd.split("\0")[0].endsWith(c);
  } catch {
    return false;
  }
}

function args(c: Component, s: ClusterState, dir: string): string[] {
  const pki = path.join(dir, "pki");
  const p = (f: string) => path.join(pki, f);
  const kc = (u: string) => path.join(dir, `${u}.kubeconfig`);
  const o = s.options;
  switch (c) {
    case "etcd":
      // Loopback only, plaintext: nothing but this cluster's API server reaches it.
      return [
        `--name=${s.name}`,
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${s.ports.etcd}`,
        `--advertise-client-urls=http://127.0.0.1:${s.ports.etcd}`,
        `--listen-peer-urls=http://127.0.0.1:${s.ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${s.ports.etcdPeer}`,
        `--initial-cluster=${s.name}=http://127.0.0.1:${s.ports.etcdPeer}`,
        "--quota-backend-bytes=2147483648",
        "--log-level=warn",
      ];
    case "kube-apiserver":
      return [
        `--etcd-servers=http://127.0.0.1:${s.ports.etcd}`,
        `--etcd-prefix=/registry-${s.name}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${s.ports.apiserver}`,
        `--tls-cert-file=${p("apiserver.crt")}`,
        `--tls-private-key-file=${p("apiserver.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        "--authorization-mode=Node,RBAC",
        "--anonymous-auth=false",
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${p("sa.pub")}`,
        `--service-account-signing-key-file=${p("sa.key")}`,
        `--service-cluster-ip-range=${o.serviceCidr}`,
        // The `kubernetes` Service would point at 127.0.0.1, which Endpoints refuse.
        "--endpoint-reconciler-type=none",
        "--allow-privileged=true",
        "--profiling=false",
        `--cert-dir=${pki}`,
      ];
    case "kube-controller-manager":
      return [
        `--kubeconfig=${kc("controller-manager")}`,
        `--authentication-kubeconfig=${kc("controller-manager")}`,
        `--authorization-kubeconfig=${kc("controller-manager")}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${s.ports.controllerManager}`,
        `--cert-dir=${path.join(dir, "controller-manager")}`,
        `--service-account-private-key-file=${p("sa.key")}`,
        `--root-ca-file=${p("ca.crt")}`,
        `--cluster-signing-cert-file=${p("ca.crt")}`,
        `--cluster-signing-key-file=${p("ca.key")}`,
        "--use-service-account-credentials=true",
        "--allocate-node-cidrs=true",
        `--cluster-cidr=${o.podCidr}`,
        `--service-cluster-ip-range=${o.serviceCidr}`,
        "--leader-elect=false",
        "--profiling=false",
      ];
    case "kube-scheduler":
      return [
        `--kubeconfig=${kc("scheduler")}`,
        `--authentication-kubeconfig=${kc("scheduler")}`,
        `--authorization-kubeconfig=${kc("scheduler")}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${s.ports.scheduler}`,
        "--leader-elect=false",
        "--profiling=false",
      ];
    case "kwok":
      return [
        `--kubeconfig=${kc("kwok")}`,
        `--config=${STAGES}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-label-selector=type=kwok",
        `--cidr=${o.podCidr}`,
        // A documentation address (RFC 5737): Endpoints refuse loopback ones, and nothing
        // ever connects to a fake node, so it only has to be a valid, routable-looking IP.
        `--node-ip=${FAKE_NODE_IP}`,
        "--node-lease-duration-seconds=40",
        `--server-address=127.0.0.1:${s.ports.kwok}`,
      ];
  }
}

function start(c: Component, s: ClusterState, dir: string): number {
  const logs = path.join(dir, "logs");
  fs.mkdirSync(logs, { recursive: true });
  const out = fs.openSync(path.join(logs, `${c}.log`), "a");
  // kwok keeps state under $HOME/.kwok; give each cluster its own home.
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (c === "kwok") env.HOME = path.join(dir, "kwok-home");
  if (c === "kwok") fs.mkdirSync(env.HOME!, { recursive: true });
  const child = spawn(binaryPath(c), args(c, s, dir), { detached: true, stdio: ["ignore", out, out], env });
  fs.closeSync(out);
  child.unref();
  if (!child.pid) throw new ClusterError(`${c} did not start (see ${path.join(logs, `${c}.log`)})`);
  return child.pid;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- API access ----------------------------------------------------------------------------

export interface ApiResponse {
  status: number;
  body: string;
}

/** One request to a local cluster's API server, as its admin. */
export function apiRequest(
  name: string,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = "application/json",
): Promise<ApiResponse> {
  const s = readState(name);
  if (!s)
    return Promise.reject(
      new ClusterError(`no local cluster '${name}' (run: npm run --silent cluster -- up --name ${name})`),
    );
  const pki = path.join(clusterDir(name), "pki");
  const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: s.ports.apiserver,
        method,
        path: urlPath,
        ca: fs.readFileSync(path.join(pki, "ca.crt")),
        cert: fs.readFileSync(path.join(pki, "admin.crt")),
        key: fs.readFileSync(path.join(pki, "admin.key")),
        headers: data ? { "content-type": contentType, "content-length": Buffer.byteLength(data) } : {},
        timeout: 15_000,
        // No pooled keep-alive sockets: callers block on long synchronous runs (pulumi up),
        // after which a pooled socket the server has closed fails with EPIPE.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

async function apiReady(name: string): Promise<boolean> {
  try {
    return (await apiRequest(name, "GET", "/readyz")).status === 200;
  } catch {
    return false;
  }
}

async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  logHint: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new ClusterError(`${what} not ready after ${timeoutMs / 1000} s (see ${logHint})`);
}

// ---- nodes --------------------------------------------------------------------------------

/** The fake nodes: the first carries Submariner's gateway label, all are linux/amd64 workers. */
export function nodeObject(cluster: string, i: number): Record<string, unknown> {
  const name = `${cluster}-node-${i}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        type: "kwok",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "topology.kubernetes.io/zone": `${cluster}-zone-${i % 3}`,
        ...(i === 0 ? { "submariner.io/gateway": "true" } : {}),
      },
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: {},
  };
}

async function ensureNodes(name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await apiRequest(name, "POST", "/api/v1/nodes", nodeObject(name, i));
    if (r.status !== 201 && r.status !== 409) {
      throw new ClusterError(
        `creating node ${name}-node-${i} failed: HTTP ${r.status} ${r.body.slice(0, 300)}`,
      );
    }
  }
}

interface NodeList {
  items: Array<{
    metadata: { name: string };
    spec: { taints?: Array<{ key: string }> };
    status?: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

/** Nodes that are Ready and no longer carry the not-ready taint (pods schedule onto them). */
export async function readyNodes(name: string): Promise<number> {
  const r = await apiRequest(name, "GET", "/api/v1/nodes");
  if (r.status !== 200) return 0;
  return (JSON.parse(r.body) as NodeList).items.filter(
    (n) =>
      n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
      !(n.spec.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/not-ready")),
  ).length;
}

// ---- lifecycle ----------------------------------------------------------------------------

export interface UpResult {
  state: ClusterState;
  created: boolean;
  restarted: Component[];
}

/**
 * Starts the cluster, or whatever of it is not running. A second `up` of a running cluster
 * changes nothing; components that died are restarted on the same data and ports.
 */
export async function up(opts: ClusterOptions, log: (m: string) => void = () => {}): Promise<UpResult> {
  validateName(opts.name);
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 50) {
    throw new ClusterError(`--nodes must be an integer from 1 to 50 (got ${opts.nodes})`);
  }
  for (const c of COMPONENTS) binaryPath(c); // fail before creating anything
  const dir = clusterDir(opts.name);
  const t0 = Date.now();
  let s = readState(opts.name);
  const created = !s;
  if (s && (s.options.serviceCidr !== opts.serviceCidr || s.options.podCidr !== opts.podCidr)) {
    throw new ClusterError(
      `cluster '${opts.name}' already exists with service range ${s.options.serviceCidr} and pod range ` +
        `${s.options.podCidr}; run 'cluster down --name ${opts.name}' first to change them`,
    );
  }
  if (!s) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    makePki(path.join(dir, "pki"), opts.serviceCidr);
    const taken = new Set<number>();
    const port = async () => {
      const p = await freePort(taken);
      taken.add(p);
      return p;
    };
    s = {
      name: opts.name,
      options: opts,
      ports: {
        etcd: await port(),
        etcdPeer: await port(),
        apiserver: await port(),
        controllerManager: await port(),
        scheduler: await port(),
        kwok: await port(),
      },
      pids: {},
      kubeconfig: path.join(dir, "kubeconfig"),
    };
    const server = `https://127.0.0.1:${s.ports.apiserver}`;
    const pki = path.join(dir, "pki");
    fs.writeFileSync(s.kubeconfig, kubeconfig(opts.name, server, pki, "admin"), { mode: 0o600 });
    for (const u of ["controller-manager", "scheduler", "kwok"]) {
      fs.writeFileSync(path.join(dir, `${u}.kubeconfig`), kubeconfig(opts.name, server, pki, u), {
        mode: 0o600,
      });
    }
    writeState(s);
  }
  const restarted: Component[] = [];
  for (const c of COMPONENTS) {
    if (ownProcessAlive(s.pids[c], c, dir)) continue;
    s.pids[c] = start(c, s, dir);
    writeState(s);
    restarted.push(c);
    log(`started ${c} (pid ${s.pids[c]})`);
    if (c === "etcd") {
      await waitFor("etcd", 30_000, () => portOpen(s!.ports.etcd), path.join(dir, "logs", "etcd.log"));
    }
    if (c === "kube-apiserver") {
      await waitFor(
        "kube-apiserver",
        90_000,
        () => apiReady(opts.name),
        path.join(dir, "logs", "kube-apiserver.log"),
      );
      if (created) s.readySeconds = (Date.now() - t0) / 1000;
      writeState(s);
      log(`API server ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  // Ready again after any restart, etcd's included (the API server reconnects on its own).
  await waitFor(
    "kube-apiserver",
    90_000,
    () => apiReady(opts.name),
    path.join(dir, "logs", "kube-apiserver.log"),
  );
  await ensureNodes(opts.name, opts.nodes);
  await waitFor(
    `${opts.nodes} Ready nodes`,
    90_000,
    async () => (await readyNodes(opts.name)) >= opts.nodes,
    path.join(dir, "logs", "kwok.log"),
  );
  // Pods need their namespace's default ServiceAccount, made by the controller manager.
  await waitFor(
    "the default ServiceAccount",
    60_000,
    async () =>
      (await apiRequest(opts.name, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status ===
      200,
    path.join(dir, "logs", "kube-controller-manager.log"),
  );
  return { state: s, created, restarted };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Stops exactly the processes `up` started (checked by pid and command line) and removes the cluster's data. */
export async function down(name: string, log: (m: string) => void = () => {}): Promise<boolean> {
  const dir = clusterDir(name);
  const s = readState(name);
  if (!s) {
    if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    return false;
  }
  const order = [...COMPONENTS].reverse();
  for (const c of order) {
    const pid = s.pids[c];
    if (pid && ownProcessAlive(pid, c, dir)) {
      signal(pid, "SIGTERM");
      log(`stopping ${c} (pid ${pid})`);
    }
  }
  const deadline = Date.now() + 15_000;
  for (const c of order) {
    const pid = s.pids[c];
    while (pid && ownProcessAlive(pid, c, dir) && Date.now() < deadline) await sleep(100);
    if (pid && ownProcessAlive(pid, c, dir)) {
      signal(pid, "SIGKILL");
      log(`killed ${c} (pid ${pid}) after 15 s`);
      while (ownProcessAlive(pid, c, dir)) await sleep(50);
    }
  }
  for (const [k, port] of Object.entries(s.ports)) {
    if (await portOpen(port))
      throw new ClusterError(
        `port ${port} (${k}) of cluster '${name}' is still open after stopping its processes`,
      );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

export interface ComponentStatus {
  component: Component;
  pid?: number;
  running: boolean;
}

export interface ClusterStatus {
  name: string;
  kubeconfig: string;
  apiserver: string;
  components: ComponentStatus[];
  ready: boolean;
  nodesReady: number;
  version?: string;
}

export async function status(name: string): Promise<ClusterStatus> {
  const s = readState(name);
  if (!s) throw new ClusterError(`no local cluster '${name}'`);
  const dir = clusterDir(name);
  const components = COMPONENTS.map((c) => ({
    component: c,
    pid: s.pids[c],
    running: ownProcessAlive(s.pids[c], c, dir),
  }));
  const ready = await apiReady(name);
  let version: string | undefined;
  let nodesReady = 0;
  if (ready) {
    const v = await apiRequest(name, "GET", "/version");
    version = (JSON.parse(v.body) as { gitVersion?: string }).gitVersion;
    nodesReady = await readyNodes(name);
  }
  return {
    name,
    kubeconfig: s.kubeconfig,
    apiserver: `https://127.0.0.1:${s.ports.apiserver}`,
    components,
    ready,
    nodesReady,
    version,
  };
}
