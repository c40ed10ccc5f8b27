/**
 * CIDR parsing and overlap checks for the cluster network plan (pod, service and
 * external ranges). Parsing is ipaddr.js's; only the interval arithmetic is ours.
 */
import * as ipaddr from "ipaddr.js";

export interface ParsedCidr {
  text: string;
  family: "ipv4" | "ipv6";
  first: bigint;
  last: bigint;
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** Parses `a.b.c.d/n` or an IPv6 prefix; throws with the reason when it is not a network address. */
export function parseCidr(text: string): ParsedCidr {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let bits: number;
  try {
    [addr, bits] = ipaddr.parseCIDR(text);
  } catch {
    throw new Error(`"${text}" is not a CIDR (expected e.g. 10.244.0.0/16 or fd00:10:244::/56)`);
  }
  const bytes = addr.toByteArray();
  const width = bytes.length * 8;
  const value = toBigInt(bytes);
  const hostBits = BigInt(width - bits);
  const first = (value >> hostBits) << hostBits;
  if (first !== value) {
    throw new Error(
      `"${text}" has host bits set (the network address is ${networkText(first, addr.kind(), bits)})`,
    );
  }
  return { text, family: addr.kind(), first, last: first + (1n << hostBits) - 1n };
}

function networkText(first: bigint, family: "ipv4" | "ipv6", bits: number): string {
  const len = family === "ipv4" ? 4 : 16;
  const bytes: number[] = [];
  for (let i = len - 1; i >= 0; i--) bytes.push(Number((first >> BigInt(i * 8)) & 0xffn));
  return `${ipaddr.fromByteArray(bytes).toString()}/${bits}`;
}

export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}
