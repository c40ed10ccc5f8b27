/**
 * Holds the NetworkPolicies' actual reachability against the declared traffic intent.
 * Pure: plain manifests and an IntentDocument in, findings out (the
 * `reachability-matches-intent` stack policy wraps it).
 */
import { analyse } from "./analyse";
import { ConnSet, type Interval } from "./conns";
import type { IntentDocument, IntentEdge, IntentPeer, WorkloadPeer } from "@k8s-netplat/contract";
import { parseCidr } from "./ipv4";
import { readObjects, type Workload } from "./objects";

export type IntentFinding =
  | {
      kind: "unintended";
      src: string;
      dst: string;
      /** Connections allowed beyond the intent, e.g. `TCP 9090` or `All Connections`. */
      conn: string;
      /** The rules that allow it on each side, e.g. `egress: no Egress policy on ...; ingress: shop/x ingress[0]`. */
      allowedBy: string;
    }
  | { kind: "blocked"; edge: IntentEdge; src: string; dst: string };

function matchesPeer(w: Workload, p: WorkloadPeer): boolean {
  return w.namespace === p.namespace && Object.entries(p.podLabels).every(([k, v]) => w.labels[k] === v);
}

function within(range: Interval, cidrs: readonly Interval[]): boolean {
  return cidrs.some(([lo, hi]) => lo <= range[0] && range[1] <= hi);
}

/**
 * Findings of `objects` (plain Kubernetes manifests) against `intent`:
 * - `unintended`: a pair with an endpoint in an intent app namespace that the policies
 *   allow beyond the intended edges (the extra connections and the allowing rules);
 * - `blocked`: an intended edge the policies deny for some pair of its endpoints.
 * An intent workload peer without any workload among the objects (the ingress
 * controller when its chart is not rendered, kube-dns) stands for a synthetic pod with
 * its labels in its namespace, so its edges are still checked.
 */
export function checkIntent(objects: unknown[], intent: IntentDocument): IntentFinding[] {
  const model = readObjects(objects);
  const peers = Object.entries(intent.peers) as [string, IntentPeer][];
  const synthetic: Workload[] = [];
  for (const [name, p] of peers) {
    if (p.kind !== "workload" || model.workloads.some((w) => matchesPeer(w, p))) continue;
    synthetic.push({
      id: `${p.namespace}/${name}[IntentPeer]`,
      namespace: p.namespace,
      name,
      kind: "IntentPeer",
      labels: { ...p.podLabels },
      ports: [],
      synthetic: true,
    });
  }
  const externalCidrs = new Map<string, Interval[]>();
  for (const [name, p] of peers) {
    if (p.kind === "external") {
      externalCidrs.set(
        name,
        p.cidrs.map((c) => {
          try {
            return parseCidr(c);
          } catch (e) {
            throw new Error(`traffic intent: peers.${name}.cidrs: ${(e as Error).message}`);
          }
        }),
      );
    }
  }
  const r = analyse(objects, {
    extraWorkloads: synthetic,
    extraCidrs: peers.flatMap(([, p]) => (p.kind === "external" ? p.cidrs : [])),
  });
  const workloads = [...model.workloads, ...synthetic];

  // Peer id -> names of the intent peers it stands for.
  const peerNames = new Map<string, string[]>();
  const add = (id: string, name: string): void => {
    const l = peerNames.get(id) ?? [];
    if (!l.includes(name)) l.push(name);
    peerNames.set(id, l);
  };
  for (const [name, p] of peers) {
    if (p.kind === "workload") {
      for (const w of workloads) if (matchesPeer(w, p)) add(w.id, name);
    } else {
      const cidrs = externalCidrs.get(name)!;
      for (const e of [...r.srcExternal, ...r.dstExternal]) if (within(e.range, cidrs)) add(e.id, name);
    }
  }
  const idsOf = (name: string, role: "src" | "dst"): string[] => {
    const p = intent.peers[name];
    if (p.kind === "workload") return workloads.filter((w) => matchesPeer(w, p)).map((w) => w.id);
    const cidrs = externalCidrs.get(name)!;
    return (role === "src" ? r.srcExternal : r.dstExternal)
      .filter((e) => within(e.range, cidrs))
      .map((e) => e.id);
  };

  const connections = r.connections();
  const allowed = new Map(connections.map((c) => [`${c.src}\u0000${c.dst}`, c.conn]));
  const findings: IntentFinding[] = [];

  for (const edge of intent.edges) {
    for (const src of idsOf(edge.from, "src")) {
      for (const dst of idsOf(edge.to, "dst")) {
        if (src === dst) continue;
        const conn = allowed.get(`${src}\u0000${dst}`) ?? ConnSet.NONE;
        if (!conn.has(edge.protocol, edge.port)) findings.push({ kind: "blocked", edge, src, dst });
      }
    }
  }

  const apps = new Set(intent.appNamespaces);
  const inApp = (id: string): boolean => {
    const w = r.workload(id);
    return w !== undefined && apps.has(w.namespace);
  };
  for (const c of connections) {
    if (!inApp(c.src) && !inApp(c.dst)) continue;
    const from = peerNames.get(c.src) ?? [];
    const to = peerNames.get(c.dst) ?? [];
    let intended = ConnSet.NONE;
    for (const e of intent.edges) {
      if (from.includes(e.from) && to.includes(e.to))
        intended = intended.union(ConnSet.ports(e.protocol, e.port));
    }
    const extra = c.conn.subtract(intended);
    if (extra.isEmpty()) continue;
    const by = r.explainPair(c.src, c.dst).allowedBy;
    findings.push({
      kind: "unintended",
      src: c.src,
      dst: c.dst,
      conn: extra.toString(),
      allowedBy: (["egress", "ingress"] as const)
        .map((dir) => {
          const rules = by[dir].filter((x) => !x.conn.intersect(extra).isEmpty()).map((x) => x.by);
          return `${dir}: ${rules.join(", ")}`;
        })
        .join("; "),
    });
  }
  return findings;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

function sameEdge(a: IntentEdge, b: IntentEdge): boolean {
  return a.from === b.from && a.to === b.to && a.port === b.port && a.protocol === b.protocol;
}

/**
 * Markdown table "intent vs actual": one row per intended edge (allowed or blocked),
 * then one per unintended pair.
 */
export function formatIntentTable(findings: readonly IntentFinding[], intent: IntentDocument): string {
  const rows = ["| edge | intended | allowed | verdict |", "| --- | --- | --- | --- |"];
  for (const e of intent.edges) {
    const blocked = findings.filter(
      (f): f is Extract<IntentFinding, { kind: "blocked" }> => f.kind === "blocked" && sameEdge(f.edge, e),
    );
    const allowedCol = blocked.length
      ? `no: ${blocked.map((b) => `${b.src} => ${b.dst}`).join(", ")}`
      : "yes";
    rows.push(
      `| ${cell(`${e.from} → ${e.to}`)} (${e.origin}) | ${e.protocol} ${e.port} | ${cell(allowedCol)} | ${blocked.length ? "BLOCKED" : "ok"} |`,
    );
  }
  for (const f of findings) {
    if (f.kind !== "unintended") continue;
    rows.push(
      `| ${cell(`${f.src} → ${f.dst}`)} | none | ${cell(f.conn)} | UNINTENDED (${cell(f.allowedBy)}) |`,
    );
  }
  return rows.join("\n") + "\n";
}
