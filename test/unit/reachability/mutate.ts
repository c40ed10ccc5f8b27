/**
 * One random change to a generated cluster (generate.ts), for the differential test of
 * the connectivity diff: the "after" of a before/after pair. Every mutation keeps the
 * input valid for both tools (no named port on an egress rule that reaches addresses:
 * netpol-analyzer refuses those, docs/reachability.md D2).
 */
type Obj = Record<string, unknown>;

const CIDRS = ["10.0.0.0/8", "192.168.1.0/24", "8.8.8.8/32", "203.0.113.0/24", "0.0.0.0/0"];
const PORTS: Obj[] = [
  { port: 8080 },
  { port: 9090, protocol: "TCP" },
  { port: 53, protocol: "UDP" },
  { port: 9000, endPort: 9100 },
  { protocol: "SCTP" },
];

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function isPolicy(o: Obj): boolean {
  return o.kind === "NetworkPolicy";
}

function isWorkload(o: Obj): boolean {
  return o.kind !== "NetworkPolicy" && o.kind !== "Namespace";
}

function rules(p: Obj): { dir: "ingress" | "egress"; rule: Obj }[] {
  const spec = p.spec as Obj;
  return (["ingress", "egress"] as const).flatMap((dir) =>
    ((spec[dir] as Obj[] | undefined) ?? []).map((rule) => ({ dir, rule })),
  );
}

function hasNamedPort(rule: Obj): boolean {
  return ((rule.ports as Obj[] | undefined) ?? []).some((p) => typeof p.port === "string");
}

/** Pod template labels of a workload object (generate.ts shapes). */
function podLabels(o: Obj): Record<string, string> {
  if (o.kind === "Pod") return ((o.metadata as Obj).labels as Record<string, string>) ?? {};
  const spec = o.spec as Obj;
  const template = (
    o.kind === "CronJob" ? ((spec.jobTemplate as Obj).spec as Obj).template : spec.template
  ) as Obj;
  return ((template.metadata as Obj).labels as Record<string, string>) ?? {};
}

/** A copy of `objects` with one random change; `what` says which. */
export function mutate(rand: () => number, objects: readonly Obj[]): { objects: Obj[]; what: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out = clone(objects) as Obj[];
  const policies = out.filter(isPolicy);
  const workloads = out.filter(isWorkload);
  const name = (o: Obj) => `${o.kind} ${(o.metadata as Obj).name as string}`;
  const kinds = [
    "remove policy",
    "remove workload",
    "copy workload",
    "relabel workload",
    "change rule ports",
    "open rule ports",
    "add ipBlock peer",
    "remove rule",
    "add allow-all ingress",
    "relabel namespace",
  ];
  for (let attempt = 0; attempt < 20; attempt++) {
    const kind = pick(kinds);
    switch (kind) {
      case "remove policy":
      case "remove workload": {
        const from = kind === "remove policy" ? policies : workloads;
        if (!from.length) continue;
        const victim = pick(from);
        out.splice(out.indexOf(victim), 1);
        return { objects: out, what: `${kind} ${name(victim)}` };
      }
      case "copy workload": {
        if (!workloads.length) continue;
        const copy = clone(pick(workloads));
        (copy.metadata as Obj).name = `${(copy.metadata as Obj).name as string}-copy`;
        out.push(copy);
        return { objects: out, what: `copy ${name(copy)}` };
      }
      case "relabel workload": {
        if (!workloads.length) continue;
        const w = pick(workloads);
        const labels = podLabels(w);
        labels.tier = pick(["fe", "be", "db", "new"]);
        return { objects: out, what: `relabel ${name(w)} tier=${labels.tier}` };
      }
      case "change rule ports":
      case "open rule ports":
      case "add ipBlock peer":
      case "remove rule": {
        if (!policies.length) continue;
        const p = pick(policies);
        const rs = rules(p);
        if (!rs.length) continue;
        const { dir, rule } = pick(rs);
        // Numeric ports only, so no named port meets an address (D2).
        if (kind === "change rule ports") {
          rule.ports = [pick(PORTS)];
        } else if (kind === "open rule ports") {
          delete rule.ports;
        } else if (kind === "add ipBlock peer") {
          const key = dir === "ingress" ? "from" : "to";
          if (!rule[key]) continue; // already matches every address
          if (dir === "egress" && hasNamedPort(rule)) continue;
          (rule[key] as Obj[]).push({ ipBlock: { cidr: pick(CIDRS) } });
        } else {
          const spec = p.spec as Obj;
          const list = spec[dir] as Obj[];
          list.splice(list.indexOf(rule), 1);
        }
        return { objects: out, what: `${kind} in ${name(p)} ${dir}` };
      }
      case "add allow-all ingress": {
        if (!workloads.length) continue;
        const w = pick(workloads);
        const ns = (w.metadata as Obj).namespace as string;
        out.push({
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: `mut-allow-${(w.metadata as Obj).name as string}`, namespace: ns },
          spec: {
            podSelector: { matchLabels: { app: podLabels(w).app } },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [pick(PORTS)] }],
          },
        });
        return { objects: out, what: `add allow-all ingress to ${name(w)}` };
      }
      case "relabel namespace": {
        const nss = out.filter((o) => o.kind === "Namespace");
        if (!nss.length) continue;
        const n = pick(nss);
        const meta = n.metadata as Obj;
        const labels = (meta.labels as Record<string, string>) ?? {};
        labels.team = labels.team === "red" ? "blue" : "red";
        meta.labels = labels;
        return { objects: out, what: `relabel ${name(n)} team=${labels.team}` };
      }
    }
  }
  return { objects: out, what: "no mutation applied" };
}
