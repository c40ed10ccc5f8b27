/**
 * Sets of connections: for each L4 protocol NetworkPolicy knows (TCP, UDP, SCTP), a
 * set of port numbers kept as sorted, disjoint, non-adjacent closed intervals.
 */

import { L4_PROTOCOLS, type L4Protocol } from "../manifests/types";

export const PROTOCOLS = L4_PROTOCOLS;
export type { L4Protocol };

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Closed interval [lo, hi]. */
export type Interval = readonly [number, number];

function normalise(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

function subtractIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [lo0, hi] of a) {
    let lo = lo0;
    for (const [blo, bhi] of b) {
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.push([lo, blo - 1]);
      lo = Math.max(lo, bhi + 1);
      if (lo > hi) break;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

const FULL: readonly Interval[] = [[MIN_PORT, MAX_PORT]];

/** An immutable set of (protocol, port) pairs. */
export class ConnSet {
  private constructor(private readonly byProto: Readonly<Record<L4Protocol, readonly Interval[]>>) {}

  static readonly NONE = new ConnSet({ TCP: [], UDP: [], SCTP: [] });
  static readonly ALL = new ConnSet({ TCP: FULL, UDP: FULL, SCTP: FULL });

  static ports(protocol: L4Protocol, lo: number, hi: number = lo): ConnSet {
    const p: Record<L4Protocol, readonly Interval[]> = { TCP: [], UDP: [], SCTP: [] };
    p[protocol] = normalise([[lo, hi]]);
    return new ConnSet(p);
  }

  static allPorts(protocol: L4Protocol): ConnSet {
    return ConnSet.ports(protocol, MIN_PORT, MAX_PORT);
  }

  intervals(protocol: L4Protocol): readonly Interval[] {
    return this.byProto[protocol];
  }

  isEmpty(): boolean {
    return PROTOCOLS.every((p) => this.byProto[p].length === 0);
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => {
      const iv = this.byProto[p];
      return iv.length === 1 && iv[0][0] === MIN_PORT && iv[0][1] === MAX_PORT;
    });
  }

  has(protocol: L4Protocol, port: number): boolean {
    return this.byProto[protocol].some(([lo, hi]) => lo <= port && port <= hi);
  }

  union(o: ConnSet): ConnSet {
    if (o.isEmpty() || this.isAll()) return this;
    if (this.isEmpty() || o.isAll()) return o;
    return this.combine(o, (a, b) => normalise([...a, ...b]));
  }

  intersect(o: ConnSet): ConnSet {
    if (this.isAll() || o.isEmpty()) return o;
    if (o.isAll() || this.isEmpty()) return this;
    return this.combine(o, intersectIntervals);
  }

  subtract(o: ConnSet): ConnSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    return this.combine(o, subtractIntervals);
  }

  equals(o: ConnSet): boolean {
    return this.toString() === o.toString();
  }

  private combine(o: ConnSet, f: (a: readonly Interval[], b: readonly Interval[]) => Interval[]): ConnSet {
    return new ConnSet({
      TCP: f(this.byProto.TCP, o.byProto.TCP),
      UDP: f(this.byProto.UDP, o.byProto.UDP),
      SCTP: f(this.byProto.SCTP, o.byProto.SCTP),
    });
  }

  /**
   * netpol-analyzer's text: "All Connections", "No Connections", or per protocol
   * "TCP 80,8080-8090" joined by "," in sorted order ("SCTP 7,TCP 80,UDP 53").
   */
  toString(): string {
    if (this.isAll()) return "All Connections";
    if (this.isEmpty()) return "No Connections";
    const parts: string[] = [];
    for (const p of PROTOCOLS) {
      const iv = this.byProto[p];
      if (iv.length === 0) continue;
      parts.push(`${p} ${iv.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",")}`);
    }
    return parts.sort().join(",");
  }
}
