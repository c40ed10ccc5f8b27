/**
 * Seeded random clusters (namespaces, workloads, NetworkPolicies) for the
 * differential test. Values avoid YAML 1.1 booleans (y, yes, on, ...) since
 * netpol-analyzer reads YAML 1.1.
 */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Obj = Record<string, unknown>;

const NAMED_PORTS = [
  { name: "http", containerPort: 8080 },
  { name: "metrics", containerPort: 9090 },
  { name: "dns", containerPort: 53, protocol: "UDP" },
  { name: "grpc", containerPort: 50051 },
  { name: "assoc", containerPort: 7, protocol: "SCTP" },
  { name: "alt", containerPort: 9050 },
];
const CIDRS: { cidr: string; except?: string[] }[] = [
  { cidr: "10.0.0.0/8" },
  { cidr: "10.0.0.0/8", except: ["10.1.0.0/16", "10.2.3.0/24"] },
  { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] },
  { cidr: "192.168.1.0/24" },
  { cidr: "8.8.8.8/32" },
  { cidr: "172.16.0.0/12", except: ["172.20.0.0/16"] },
  { cidr: "0.0.0.0/0" },
  { cidr: "203.0.113.0/24" },
];
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

export interface GenOptions {
  /** Prefix for every namespace (keeps batched cases apart). */
  prefix: string;
  namespaces?: number;
  workloads?: number;
  policies?: number;
}

export function randomCluster(rand: () => number, o: GenOptions): Obj[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number): boolean => rand() < p;
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const nsNames = Array.from({ length: o.namespaces ?? int(2, 3) }, (_, i) => `${o.prefix}ns${i}`);
  const objs: Obj[] = [];
  for (const ns of nsNames) {
    if (chance(0.2)) continue; // only referenced: implicit kubernetes.io/metadata.name
    const labels: Record<string, string> = {};
    if (chance(0.6)) labels.team = pick(["red", "blue"]);
    if (chance(0.5)) labels.env = pick(["prod", "dev"]);
    objs.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels } });
  }
  const nWorkloads = o.workloads ?? int(3, 6);
  const apps: string[] = [];
  for (let i = 0; i < nWorkloads; i++) {
    const ns = pick(nsNames);
    const app = `w${i}`;
    apps.push(app);
    const labels: Record<string, string> = { app };
    if (chance(0.6)) labels.tier = pick(["fe", "be", "db"]);
    if (chance(0.3)) labels.role = pick(["x", "z"]);
    const ports = NAMED_PORTS.filter(() => chance(0.35));
    const podSpec = { containers: [{ name: "c", image: "img", ports }] };
    const kind = pick(WORKLOAD_KINDS);
    const name = `${o.prefix}${app}`;
    const meta = { labels };
    if (kind === "Pod") {
      objs.push({
        apiVersion: "v1",
        kind,
        metadata: { name, namespace: ns, labels },
        spec: podSpec,
        status: { hostIP: "192.0.2.1", podIP: `10.244.0.${i + 2}`, podIPs: [{ ip: `10.244.0.${i + 2}` }] },
      });
      continue;
    }
    const template = { metadata: meta, spec: podSpec };
    const apiVersion = kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1";
    const spec: Obj =
      kind === "CronJob"
        ? { schedule: "* * * * *", jobTemplate: { spec: { template } } }
        : { selector: { matchLabels: { app } }, template };
    if (kind === "Deployment" || kind === "StatefulSet" || kind === "ReplicaSet") spec.replicas = int(1, 3);
    objs.push({ apiVersion, kind, metadata: { name, namespace: ns }, spec });
  }

  const podSelector = (): Obj => {
    const r = rand();
    if (r < 0.2) return {};
    if (r < 0.65) return { matchLabels: { app: pick(apps) } };
    if (r < 0.75) return { matchLabels: { tier: pick(["fe", "be", "db"]) } };
    const op = pick(["In", "NotIn", "Exists", "DoesNotExist"]);
    const key = pick(["tier", "role", "app"]);
    const values = key === "tier" ? ["fe", "be", "db"] : key === "role" ? ["x", "z"] : apps;
    const expr: Obj = { key, operator: op };
    if (op === "In" || op === "NotIn") expr.values = values.filter(() => chance(0.5)).concat(pick(values));
    return chance(0.3)
      ? { matchLabels: { app: pick(apps) }, matchExpressions: [expr] }
      : { matchExpressions: [expr] };
  };
  const nsSelector = (): Obj => {
    const r = rand();
    if (r < 0.25) return {};
    if (r < 0.6) return { matchLabels: { "kubernetes.io/metadata.name": pick(nsNames) } };
    if (r < 0.8) return { matchLabels: { team: pick(["red", "blue"]) } };
    return {
      matchExpressions: [{ key: "env", operator: pick(["In", "NotIn"]), values: [pick(["prod", "dev"])] }],
    };
  };
  const peer = (allowIp: boolean): Obj => {
    const r = rand();
    if (allowIp && r < 0.25) {
      const c = pick(CIDRS);
      return { ipBlock: c.except ? { cidr: c.cidr, except: c.except } : { cidr: c.cidr } };
    }
    if (r < 0.5) return { podSelector: podSelector() };
    if (r < 0.7) return { namespaceSelector: nsSelector() };
    return { namespaceSelector: nsSelector(), podSelector: podSelector() };
  };
  const port = (named: boolean): Obj => {
    const r = rand();
    if (named && r < 0.3) {
      const p = pick(NAMED_PORTS);
      return p.protocol && chance(0.8) ? { port: p.name, protocol: p.protocol } : { port: p.name };
    }
    if (r < 0.5) return { port: pick([8080, 9090, 50051, 443]) };
    if (r < 0.6) return { port: 53, protocol: "UDP" };
    if (r < 0.7) return { protocol: pick(["TCP", "UDP", "SCTP"]) };
    if (r < 0.85) return { port: pick([9000, 8000]), endPort: pick([9100, 9050, 9000]) };
    return { port: 7, protocol: "SCTP" };
  };
  const rule = (dir: "ingress" | "egress"): Obj => {
    const out: Obj = {};
    const key = dir === "ingress" ? "from" : "to";
    let hasIp = false;
    if (chance(0.8)) {
      const peers = Array.from({ length: int(1, 2) }, () => peer(true));
      hasIp = peers.some((p) => "ipBlock" in p);
      out[key] = peers;
    } else {
      hasIp = true; // no peers: matches external addresses too
    }
    // netpol-analyzer rejects named ports on egress to addresses (documented difference).
    if (chance(0.75)) out.ports = Array.from({ length: int(1, 3) }, () => port(!(dir === "egress" && hasIp)));
    return out;
  };
  const nPolicies = o.policies ?? int(2, 6);
  for (let i = 0; i < nPolicies; i++) {
    const spec: Obj = { podSelector: chance(0.3) ? {} : podSelector() };
    const types = pick([[], ["Ingress"], ["Egress"], ["Ingress", "Egress"]]);
    if (types.length) spec.policyTypes = types;
    const nIn = pick([0, 0, 1, 1, 2]);
    const nEg = pick([0, 0, 1, 1, 2]);
    if (nIn) spec.ingress = Array.from({ length: nIn }, () => rule("ingress"));
    if (nEg) spec.egress = Array.from({ length: nEg }, () => rule("egress"));
    objs.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${o.prefix}np${i}`, namespace: pick(nsNames) },
      spec,
    });
  }
  return objs;
}
