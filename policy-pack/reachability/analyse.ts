/**
 * NetworkPolicy reachability: who can reach whom, on which ports.
 *
 * Pods are grouped into classes of equal (namespace, labels) before anything is
 * paired: which policies select a pod and which rule peers match it depend on
 * nothing else. Each policy's pod selector and each rule peer is evaluated once over
 * the classes (through a label index when the selector has matchLabels), so the
 * set-up costs policies x distinct label sets; pairing then walks, for each source
 * class, only the classes its egress rules reach (all classes when it is not
 * egress-isolated). Named ports are resolved per destination workload at the end.
 */
import { ConnSet, type Interval, type L4Protocol } from "./conns";
import { disjointAtoms, formatRange, parseCidr } from "./ipv4";
import { type Model, type Policy, readObjects, type Rule, type RulePeer, type Workload } from "./objects";
import { labelsKey, type Labels, type Selector, selectorMatches } from "./selectors";

export const EXTERNAL_SUFFIX = "[External]";

export interface AnalyseOptions {
  /** Workloads to add to those of the manifests (synthetic pods for intent peers, say). */
  extraWorkloads?: Workload[];
  /** CIDRs that must each be a union of external ranges in the result (intent's external peers). */
  extraCidrs?: string[];
}

export interface PortEntry {
  protocol: L4Protocol;
  lo: number;
  hi: number;
}

export interface Connection {
  src: string;
  dst: string;
  conn: ConnSet;
}

/** An external range: the analyser's unit of cluster-external address space. */
export interface ExternalRange {
  id: string;
  range: Interval;
}

interface PodClass {
  idx: number;
  namespace: string;
  labels: Labels;
  workloads: Workload[];
  ingressPolicies: Policy[];
  egressPolicies: Policy[];
  ingressRules: Rule[];
  egressRules: Rule[];
}

interface RuleMatch {
  allClasses: boolean;
  classes: Set<number>;
  allAtoms: boolean;
  atoms: Set<number>;
}

/** Ports of one or more rules before named ports are resolved against a destination. */
interface SymPorts {
  numeric: ConnSet;
  named: { protocol: L4Protocol; name: string }[];
}

const OPEN: SymPorts = { numeric: ConnSet.ALL, named: [] };

function resolve(sym: SymPorts, dst: Workload | undefined): ConnSet {
  let c = sym.numeric;
  if (dst && sym.named.length) {
    for (const n of sym.named) {
      for (const p of dst.ports) {
        if (p.name === n.name && p.protocol === n.protocol) c = c.union(ConnSet.ports(p.protocol, p.port));
      }
    }
  }
  return c;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Reachability {
  readonly model: Model;
  readonly classes: PodClass[] = [];
  /** External ranges as sources (cut by ingress ipBlocks) and as destinations (cut by egress ipBlocks). */
  readonly srcExternal: ExternalRange[];
  readonly dstExternal: ExternalRange[];
  private readonly matches = new Map<Rule, RuleMatch>();
  private readonly classOf = new Map<string, PodClass>();
  private readonly workloadById = new Map<string, Workload>();
  private readonly classesByNs = new Map<string, PodClass[]>();
  private readonly labelIndex = new Map<string, PodClass[]>();

  constructor(objects: readonly unknown[], options: AnalyseOptions = {}) {
    this.model = readObjects(objects);
    const workloads = [...this.model.workloads, ...(options.extraWorkloads ?? [])];
    for (const w of options.extraWorkloads ?? []) {
      if (!this.model.namespaces.has(w.namespace)) {
        this.model.namespaces.set(w.namespace, { "kubernetes.io/metadata.name": w.namespace });
      }
    }
    const byKey = new Map<string, PodClass>();
    for (const w of workloads) {
      if (this.workloadById.has(w.id)) throw new Error(`${w.id}: two workloads with the same id`);
      this.workloadById.set(w.id, w);
      const key = `${w.namespace}\u0000${labelsKey(w.labels)}`;
      let c = byKey.get(key);
      if (!c) {
        c = {
          idx: this.classes.length,
          namespace: w.namespace,
          labels: w.labels,
          workloads: [],
          ingressPolicies: [],
          egressPolicies: [],
          ingressRules: [],
          egressRules: [],
        };
        byKey.set(key, c);
        this.classes.push(c);
        const nsList = this.classesByNs.get(w.namespace) ?? [];
        nsList.push(c);
        this.classesByNs.set(w.namespace, nsList);
        for (const [k, v] of Object.entries(w.labels)) {
          const ik = `${k}\u0000${v}`;
          const l = this.labelIndex.get(ik) ?? [];
          l.push(c);
          this.labelIndex.set(ik, l);
        }
      }
      c.workloads.push(w);
      this.classOf.set(w.id, c);
    }

    // External address space, cut separately for sources and destinations.
    const extra = (options.extraCidrs ?? []).map((c) => parseCidr(c));
    const ranges = (rules: (p: Policy) => Rule[]): Interval[] => [
      ...extra,
      ...this.model.policies.flatMap((p) =>
        rules(p).flatMap((r) =>
          (r.peers ?? []).flatMap((peer) => (peer.kind === "ipBlock" ? peer.ranges : [])),
        ),
      ),
    ];
    const toPeers = (atoms: Interval[]): ExternalRange[] =>
      atoms.map((range) => ({ id: formatRange(range) + EXTERNAL_SUFFIX, range }));
    this.srcExternal = toPeers(disjointAtoms(ranges((p) => p.ingress)));
    this.dstExternal = toPeers(disjointAtoms(ranges((p) => p.egress)));

    // Which policies select which classes; which classes and ranges each rule matches.
    for (const p of this.model.policies) {
      for (const c of this.selectPods([p.namespace], p.podSelector)) {
        if (p.isolatesIngress) {
          c.ingressPolicies.push(p);
          c.ingressRules.push(...p.ingress);
        }
        if (p.isolatesEgress) {
          c.egressPolicies.push(p);
          c.egressRules.push(...p.egress);
        }
      }
      for (const r of [...p.ingress, ...p.egress]) {
        this.matches.set(
          r,
          this.matchRule(r, r.direction === "ingress" ? this.srcExternal : this.dstExternal),
        );
      }
    }
  }

  private selectPods(namespaces: Iterable<string>, sel: Selector | undefined): PodClass[] {
    const nsSet = new Set(namespaces);
    let candidates: PodClass[];
    if (sel && sel.matchLabels.length) {
      let best: PodClass[] | undefined;
      for (const [k, v] of sel.matchLabels) {
        const l = this.labelIndex.get(`${k}\u0000${v}`) ?? [];
        if (!best || l.length < best.length) best = l;
      }
      candidates = best!.filter((c) => nsSet.has(c.namespace));
    } else {
      candidates = [...nsSet].flatMap((ns) => this.classesByNs.get(ns) ?? []);
    }
    return sel ? candidates.filter((c) => selectorMatches(sel, c.labels)) : candidates;
  }

  private matchRule(r: Rule, external: ExternalRange[]): RuleMatch {
    const m: RuleMatch = { allClasses: false, classes: new Set(), allAtoms: false, atoms: new Set() };
    if (!r.peers) {
      m.allClasses = true;
      m.allAtoms = true;
      return m;
    }
    for (const peer of r.peers) this.addPeer(m, r.policy, peer, external);
    return m;
  }

  private addPeer(m: RuleMatch, p: Policy, peer: RulePeer, external: ExternalRange[]): void {
    if (peer.kind === "ipBlock") {
      external.forEach((e, i) => {
        if (peer.ranges.some(([lo, hi]) => lo <= e.range[0] && e.range[1] <= hi)) m.atoms.add(i);
      });
      return;
    }
    const nsSel = peer.namespaceSelector;
    if (nsSel?.matchesAll && (!peer.podSelector || peer.podSelector.matchesAll)) {
      m.allClasses = true;
      return;
    }
    const namespaces = nsSel
      ? [...this.model.namespaces].filter(([, labels]) => selectorMatches(nsSel, labels)).map(([n]) => n)
      : [p.namespace];
    for (const c of this.selectPods(namespaces, peer.podSelector)) m.classes.add(c.idx);
  }

  private hasClass(r: Rule, c: PodClass): boolean {
    const m = this.matches.get(r)!;
    return m.allClasses || m.classes.has(c.idx);
  }

  private hasAtom(r: Rule, i: number): boolean {
    const m = this.matches.get(r)!;
    return m.allAtoms || m.atoms.has(i);
  }

  /** Union of the ports of `rules` that match; undefined when none matches. */
  private sym(rules: Rule[], match: (r: Rule) => boolean): SymPorts | undefined {
    let out: SymPorts | undefined;
    for (const r of rules) {
      if (!match(r)) continue;
      out = out ?? { numeric: ConnSet.NONE, named: [] };
      out.numeric = out.numeric.union(r.numeric);
      out.named.push(...r.namedPorts);
    }
    return out;
  }

  private egressTo(s: PodClass, d: PodClass): SymPorts | undefined {
    return s.egressPolicies.length ? this.sym(s.egressRules, (r) => this.hasClass(r, d)) : OPEN;
  }

  private ingressFrom(s: PodClass, d: PodClass): SymPorts | undefined {
    return d.ingressPolicies.length ? this.sym(d.ingressRules, (r) => this.hasClass(r, s)) : OPEN;
  }

  /** Every allowed connection between distinct peers, sorted by source then destination. */
  connections(): Connection[] {
    const out: Connection[] = [];
    const all = this.classes;
    for (const s of all) {
      let candidates: Iterable<PodClass> = all;
      if (s.egressPolicies.length && !s.egressRules.some((r) => this.matches.get(r)!.allClasses)) {
        const idx = new Set<number>();
        for (const r of s.egressRules) for (const i of this.matches.get(r)!.classes) idx.add(i);
        candidates = [...idx].map((i) => all[i]);
      }
      for (const d of candidates) {
        const eg = this.egressTo(s, d);
        if (!eg) continue;
        const ing = this.ingressFrom(s, d);
        if (!ing) continue;
        for (const wd of d.workloads) {
          const conn = resolve(eg, wd).intersect(resolve(ing, wd));
          if (conn.isEmpty()) continue;
          for (const ws of s.workloads) if (ws.id !== wd.id) out.push({ src: ws.id, dst: wd.id, conn });
        }
      }
      // To external ranges (their ingress is not ours to judge).
      this.dstExternal.forEach((e, i) => {
        const eg = s.egressPolicies.length ? this.sym(s.egressRules, (r) => this.hasAtom(r, i)) : OPEN;
        const conn = eg ? resolve(eg, undefined) : ConnSet.NONE;
        if (!conn.isEmpty()) for (const ws of s.workloads) out.push({ src: ws.id, dst: e.id, conn });
      });
    }
    for (const d of all) {
      this.srcExternal.forEach((e, i) => {
        for (const wd of d.workloads) {
          const ing = d.ingressPolicies.length ? this.sym(d.ingressRules, (r) => this.hasAtom(r, i)) : OPEN;
          const conn = ing ? resolve(ing, wd) : ConnSet.NONE;
          if (!conn.isEmpty()) out.push({ src: e.id, dst: wd.id, conn });
        }
      });
    }
    return out.sort((a, b) => cmp(a.src, b.src) || cmp(a.dst, b.dst));
  }

  /** All peer ids: workloads, then external ranges. */
  peers(): string[] {
    const ext = new Set([...this.srcExternal, ...this.dstExternal].map((e) => e.id));
    return [...this.workloadById.keys(), ...ext];
  }

  workload(id: string): Workload | undefined {
    return this.workloadById.get(id);
  }

  /** Connections from `src` to `dst` (peer ids as printed); throws for unknown peers. */
  between(src: string, dst: string): ConnSet {
    return this.explainPair(src, dst).conn;
  }

  /**
   * The port entries (one per rule port, named ports resolved against the destination)
   * of the rules that match src -> dst, for each side; `open` when no policy isolates
   * that side. Used to tell known netpol-analyzer differences apart (docs/reachability.md).
   */
  portEntries(src: string, dst: string): Record<"egress" | "ingress", "open" | PortEntry[]> {
    const ws = this.workloadById.get(src);
    const wd = this.workloadById.get(dst);
    const cs = ws && this.classOf.get(ws.id);
    const cd = wd && this.classOf.get(wd.id);
    const srcExt = this.srcExternal.findIndex((e) => e.id === src);
    const dstExt = this.dstExternal.findIndex((e) => e.id === dst);
    const entries = (rules: Rule[], match: (r: Rule) => boolean): PortEntry[] =>
      rules.filter(match).flatMap((r) =>
        (
          r.ports ?? [
            { protocol: "TCP" as const },
            { protocol: "UDP" as const },
            { protocol: "SCTP" as const },
          ]
        ).flatMap((p): PortEntry[] => {
          if (p.port === undefined) return [{ protocol: p.protocol, lo: 1, hi: 65535 }];
          if (typeof p.port === "number")
            return [{ protocol: p.protocol, lo: p.port, hi: p.endPort ?? p.port }];
          const named = wd?.ports.find((q) => q.name === p.port && q.protocol === p.protocol);
          return named ? [{ protocol: p.protocol, lo: named.port, hi: named.port }] : [];
        }),
      );
    return {
      egress:
        !cs || !cs.egressPolicies.length
          ? "open"
          : entries(cs.egressRules, (r) => (cd ? this.hasClass(r, cd) : this.hasAtom(r, dstExt))),
      ingress:
        !cd || !cd.ingressPolicies.length
          ? "open"
          : entries(cd.ingressRules, (r) => (cs ? this.hasClass(r, cs) : this.hasAtom(r, srcExt))),
    };
  }

  /** The policies and rules that allow or deny src -> dst, and the resulting connections. */
  explainPair(
    src: string,
    dst: string,
  ): {
    conn: ConnSet;
    lines: string[];
    allowedBy: Record<"egress" | "ingress", { by: string; conn: ConnSet }[]>;
  } {
    const ws = this.workloadById.get(src);
    const wd = this.workloadById.get(dst);
    const srcExtIdx = this.srcExternal.findIndex((e) => e.id === src);
    const dstExtIdx = this.dstExternal.findIndex((e) => e.id === dst);
    if (!ws && srcExtIdx < 0)
      throw new Error(`unknown source peer "${src}"; peers: ${this.peers().join(", ")}`);
    if (!wd && dstExtIdx < 0)
      throw new Error(`unknown destination peer "${dst}"; peers: ${this.peers().join(", ")}`);
    if (!ws && !wd) throw new Error(`${src} => ${dst}: both peers are external; NetworkPolicy says nothing`);
    const lines: string[] = [];
    const allowedBy: Record<"egress" | "ingress", { by: string; conn: ConnSet }[]> = {
      egress: [],
      ingress: [],
    };
    const side = (
      dir: "egress" | "ingress",
      c: PodClass | undefined,
      who: string,
      other: string,
      matchRule: (r: Rule) => boolean,
    ): ConnSet => {
      const word = dir === "egress" ? "Egress" : "Ingress";
      if (!c) {
        lines.push(`${dir} of ${who}: external, not governed by NetworkPolicy: all connections`);
        allowedBy[dir].push({ by: "external peer", conn: ConnSet.ALL });
        return ConnSet.ALL;
      }
      const policies = dir === "egress" ? c.egressPolicies : c.ingressPolicies;
      if (!policies.length) {
        lines.push(`${dir} of ${who}: no NetworkPolicy selects it for ${word}: all connections`);
        allowedBy[dir].push({ by: `no ${word} policy on ${who}`, conn: ConnSet.ALL });
        return ConnSet.ALL;
      }
      lines.push(`${dir} of ${who}: isolated by ${policies.map((p) => p.id).join(", ")}`);
      let acc = ConnSet.NONE;
      for (const p of policies) {
        const rules = dir === "egress" ? p.egress : p.ingress;
        if (!rules.length) lines.push(`  ${p.id}: no ${dir} rules (denies all ${dir})`);
        for (const r of rules) {
          if (!matchRule(r)) {
            lines.push(`  ${r.label}: does not match ${other}`);
            continue;
          }
          const conn = resolve({ numeric: r.numeric, named: r.namedPorts }, wd);
          const unresolved = r.namedPorts.filter(
            (n) => !wd?.ports.some((q) => q.name === n.name && q.protocol === n.protocol),
          );
          const note = unresolved.length
            ? ` (named port ${unresolved.map((n) => `${n.protocol}/${n.name}`).join(", ")} not on ${dst})`
            : "";
          lines.push(`  ${r.label}: allows ${conn.toString()}${note}`);
          if (!conn.isEmpty()) allowedBy[dir].push({ by: r.label, conn });
          acc = acc.union(conn);
        }
      }
      lines.push(`  => ${dir} allows ${acc.toString()}`);
      return acc;
    };
    const cs = ws ? this.classOf.get(ws.id) : undefined;
    const cd = wd ? this.classOf.get(wd.id) : undefined;
    const eg = side("egress", cs, src, dst, (r) => (cd ? this.hasClass(r, cd) : this.hasAtom(r, dstExtIdx)));
    const ing = side("ingress", cd, dst, src, (r) =>
      cs ? this.hasClass(r, cs) : this.hasAtom(r, srcExtIdx),
    );
    const conn = src === dst ? ConnSet.NONE : eg.intersect(ing);
    lines.unshift(`${src} => ${dst} : ${conn.toString()}`);
    return { conn, lines, allowedBy };
  }
}

export function analyse(objects: readonly unknown[], options?: AnalyseOptions): Reachability {
  return new Reachability(objects, options);
}

/** netpol-analyzer `list` text: one `src => dst : conns` line per allowed pair. */
export function formatConnectionsText(conns: readonly Connection[]): string {
  return conns.map((c) => `${c.src} => ${c.dst} : ${c.conn.toString()}\n`).join("");
}

/** netpol-analyzer `list -o json`. */
export function formatConnectionsJson(conns: readonly Connection[]): string {
  return JSON.stringify(
    conns.map((c) => ({ src: c.src, dst: c.dst, conn: c.conn.toString() })),
    null,
    2,
  );
}
