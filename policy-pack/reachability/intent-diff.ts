/**
 * What a change does to connectivity, held against the declared traffic intent: every
 * path a change opens or closes, named by intent peer where it can be, and marked
 * intended or unintended. Pure: manifests and intent documents in, changes out (the
 * preview summary renders them; scripts/lib/preview-connectivity.ts).
 */
import { analyse } from "./analyse";
import { ConnSet, type Interval } from "./conns";
import { diffReachability } from "./diff";
import type { IntentDocument, WorkloadPeer } from "./intent-document";
import { parseCidr } from "./ipv4";
import type { Workload } from "./objects";

/**
 * - `intended`: an opened path the (new) intent declares, or a closed one it no longer does;
 * - `unintended`: an opened path the intent does not declare, or a closed one it still declares;
 * - `outside intent`: neither end is in one of the intent's app namespaces (or there is no
 *   intent document), so the intent says nothing about it.
 */
export type ChangeVerdict = "intended" | "unintended" | "outside intent";

export interface ConnectivityChange {
  change: "opens" | "closes";
  /** Peer ids as the analyser prints them (`shop/frontend[Deployment]`, `a.b.c.d-e.f.g.h[External]`). */
  src: string;
  dst: string;
  /** Intent peer names, or the peer id when no intent peer stands for it. */
  srcName: string;
  dstName: string;
  conn: ConnSet;
  verdict: ChangeVerdict;
}

function matchesPeer(w: Workload, p: WorkloadPeer): boolean {
  return w.namespace === p.namespace && Object.entries(p.podLabels).every(([k, v]) => w.labels[k] === v);
}

function externalRange(id: string): Interval | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\[External\]$/.exec(id);
  if (!m) return undefined;
  return [parseCidr(`${m[1]}/32`)[0], parseCidr(`${m[2]}/32`)[0]];
}

/**
 * The connectivity changes from `before` to `after` (plain manifests of one cluster),
 * judged against `intent` (the proposed one, from `after`; undefined when there is
 * none). `previousIntent` only helps name peers that left the intent. Intent workload
 * peers with no workload on either side (the ingress controller when its chart is not
 * rendered) stand for a synthetic pod on both sides, as in checkIntent. Throws on
 * invalid manifests, like analyse().
 */
export function connectivityChanges(
  before: readonly unknown[],
  after: readonly unknown[],
  intent: IntentDocument | undefined,
  previousIntent?: IntentDocument,
): ConnectivityChange[] {
  const docs = [intent, previousIntent].filter((d): d is IntentDocument => d !== undefined);
  const base = [analyse(before), analyse(after)];
  const real = base.flatMap((r) => r.model.workloads);
  const synthetic: Workload[] = [];
  const cidrs: string[] = [];
  for (const doc of docs) {
    for (const [name, p] of Object.entries(doc.peers)) {
      if (p.kind === "external") {
        cidrs.push(...p.cidrs);
        continue;
      }
      const id = `${p.namespace}/${name}[IntentPeer]`;
      if (real.some((w) => matchesPeer(w, p)) || synthetic.some((w) => w.id === id)) continue;
      synthetic.push({
        id,
        namespace: p.namespace,
        name,
        kind: "IntentPeer",
        labels: { ...p.podLabels },
        ports: [],
        synthetic: true,
      });
    }
  }
  const options = { extraWorkloads: synthetic, extraCidrs: cidrs };
  const rb = synthetic.length || cidrs.length ? analyse(before, options) : base[0];
  const ra = synthetic.length || cidrs.length ? analyse(after, options) : base[1];
  const diffs = diffReachability(rb, ra, { keepBoundaries: cidrs.map((c) => parseCidr(c)) });

  const workloadOf = (id: string): Workload | undefined => ra.workload(id) ?? rb.workload(id);
  /** Names of the peers of `doc` that stand for `id`. */
  const namesIn = (doc: IntentDocument | undefined, id: string): string[] => {
    if (!doc) return [];
    const w = workloadOf(id);
    const range = w ? undefined : externalRange(id);
    return Object.entries(doc.peers)
      .filter(([, p]) =>
        p.kind === "workload"
          ? w !== undefined && matchesPeer(w, p)
          : range !== undefined &&
            p.cidrs.some((c) => {
              const [lo, hi] = parseCidr(c);
              return lo <= range[0] && range[1] <= hi;
            }),
      )
      .map(([n]) => n);
  };
  const displayName = (id: string): string =>
    namesIn(intent, id)[0] ?? namesIn(previousIntent, id)[0] ?? id.replace(/\[IntentPeer\]$/, "");
  const apps = new Set(intent?.appNamespaces ?? []);
  const governed = (src: string, dst: string): boolean =>
    [src, dst].some((id) => {
      const w = workloadOf(id);
      return w !== undefined && apps.has(w.namespace);
    });
  const intended = (src: string, dst: string): ConnSet => {
    if (!intent) return ConnSet.NONE;
    const from = namesIn(intent, src);
    const to = namesIn(intent, dst);
    let out = ConnSet.NONE;
    for (const e of intent.edges) {
      if (from.includes(e.from) && to.includes(e.to)) out = out.union(ConnSet.ports(e.protocol, e.port));
    }
    return out;
  };

  /**
   * Peer names for a change: where a peer stands for several intent peers (a remote
   * cluster's service range serves every remote service), those of an edge that
   * covers the connections; else the first.
   */
  const namesFor = (src: string, dst: string, conn: ConnSet): { srcName: string; dstName: string } => {
    for (const doc of [intent, previousIntent]) {
      if (!doc) continue;
      const from = namesIn(doc, src);
      const to = namesIn(doc, dst);
      const e = doc.edges.find(
        (x) => from.includes(x.from) && to.includes(x.to) && conn.has(x.protocol, x.port),
      );
      if (e) return { srcName: e.from, dstName: e.to };
    }
    return { srcName: displayName(src), dstName: displayName(dst) };
  };

  const out: ConnectivityChange[] = [];
  for (const d of diffs) {
    const opened = d.after.subtract(d.before);
    const closed = d.before.subtract(d.after);
    const push = (change: "opens" | "closes", conn: ConnSet, verdict: ChangeVerdict): void => {
      if (!conn.isEmpty())
        out.push({ change, src: d.src, dst: d.dst, ...namesFor(d.src, d.dst, conn), conn, verdict });
    };
    if (!governed(d.src, d.dst)) {
      push("opens", opened, "outside intent");
      push("closes", closed, "outside intent");
      continue;
    }
    const declared = intended(d.src, d.dst);
    push("opens", opened.intersect(declared), "intended");
    push("opens", opened.subtract(declared), "unintended");
    push("closes", closed.subtract(declared), "intended");
    push("closes", closed.intersect(declared), "unintended");
  }
  return disambiguate(out);
}

/**
 * Two peers shown under one name (payment moved namespaces, say) get their namespace added;
 * when that does not tell them apart (two versions of one service, orders-v1 and orders-v2,
 * in one namespace), their workload's namespace/name.
 */
function disambiguate(changes: ConnectivityChange[]): ConnectivityChange[] {
  const ids = new Map<string, Set<string>>();
  for (const c of changes) {
    for (const [name, id] of [
      [c.srcName, c.src],
      [c.dstName, c.dst],
    ]) {
      const s = ids.get(name) ?? new Set();
      s.add(id);
      ids.set(name, s);
    }
  }
  const nsOf = (id: string): string | undefined => (id.includes("/") ? id.split("/")[0] : undefined);
  const show = (name: string, id: string): string => {
    const same = [...(ids.get(name) ?? [])];
    if (same.length < 2) return name;
    const ns = nsOf(id);
    if (!ns) return `${name} (${id})`;
    if (same.filter((o) => nsOf(o) === ns).length < 2) return `${name} (${ns})`;
    return `${name} (${id.replace(/\[[^\]]*\]$/, "")})`;
  };
  return changes.map((c) => ({ ...c, srcName: show(c.srcName, c.src), dstName: show(c.dstName, c.dst) }));
}
