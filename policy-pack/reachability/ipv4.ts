/**
 * IPv4 address ranges for ipBlock peers. Addresses are numbers in [0, 2^32 - 1];
 * ranges are closed intervals.
 */
import type { Interval } from "./conns";

export const IPV4_MAX = 2 ** 32 - 1;

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i].length > 1 && m[i].startsWith("0"))) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/**
 * "10.0.0.0/8" -> [10.0.0.0, 10.255.255.255]. Host bits are masked off, as the API
 * server and netpol-analyzer do. Throws a message (without context) when malformed;
 * IPv6 is recognised and reported as unsupported.
 */
export function parseCidr(cidr: string): Interval {
  if (typeof cidr !== "string") throw new Error(`expected a CIDR string, got ${JSON.stringify(cidr)}`);
  if (cidr.includes(":"))
    throw new Error(`IPv6 CIDR "${cidr}" is not supported by this analyser (IPv4 only)`);
  const [addr, len, ...rest] = cidr.split("/");
  const ip = parseIPv4(addr);
  const bits = len !== undefined && /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (ip === undefined || rest.length > 0 || !(bits >= 0 && bits <= 32)) {
    throw new Error(`"${cidr}" is not a valid IPv4 CIDR`);
  }
  const size = 2 ** (32 - bits);
  const start = Math.floor(ip / size) * size;
  return [start, start + size - 1];
}

export function formatRange([lo, hi]: Interval): string {
  return `${formatIPv4(lo)}-${formatIPv4(hi)}`;
}

/** cidr minus excepts, as disjoint sorted intervals. */
export function subtractRanges(base: Interval, except: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let lo = base[0];
  const hi = base[1];
  for (const [elo, ehi] of [...except].sort((a, b) => a[0] - b[0])) {
    if (ehi < lo || elo > hi) continue;
    if (elo > lo) out.push([lo, elo - 1]);
    lo = Math.max(lo, ehi + 1);
    if (lo > hi) return out;
  }
  if (lo <= hi) out.push([lo, hi]);
  return out;
}

/**
 * Splits the whole IPv4 space into the coarsest disjoint ranges such that each given
 * range is a union of result ranges (cut at every range's start and end + 1).
 */
export function disjointAtoms(ranges: readonly Interval[]): Interval[] {
  const cuts = new Set<number>([0]);
  for (const [lo, hi] of ranges) {
    cuts.add(lo);
    if (hi < IPV4_MAX) cuts.add(hi + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((lo, i): Interval => [lo, i + 1 < sorted.length ? sorted[i + 1] - 1 : IPV4_MAX]);
}

export function rangeWithin([lo, hi]: Interval, ranges: readonly Interval[]): boolean {
  return ranges.some(([rlo, rhi]) => rlo <= lo && hi <= rhi);
}
