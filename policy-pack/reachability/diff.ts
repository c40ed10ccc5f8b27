/**
 * Connectivity diff: which connections two sets of manifests allow differently, per
 * source and destination, in the manner of np-guard netpol-analyzer's `diff` command.
 *
 * Each side is analysed on its own (analyse.ts). Pairs of workloads are compared by id.
 * External ranges are compared over the whole IPv4 space: for each workload and
 * direction, the address space is cut at every range boundary of either side, and
 * adjacent pieces with the same (before, after) connections are merged back, so each
 * printed range is maximal, as netpol-analyzer's diff prints them.
 */
import { analyse, type AnalyseOptions, type Connection, EXTERNAL_SUFFIX, type Reachability } from "./analyse";
import { ConnSet, type Interval } from "./conns";
import { formatRange, IPV4_MAX } from "./ipv4";

export type DiffType = "changed" | "added" | "removed";

export const DIFF_TYPES: readonly DiffType[] = ["changed", "added", "removed"];

export interface ConnectionDiff {
  type: DiffType;
  src: string;
  dst: string;
  /** Connections before (`No Connections` for an added pair). */
  before: ConnSet;
  /** Connections after (`No Connections` for a removed pair). */
  after: ConnSet;
  /** Workload peers of the pair that exist only after (added) or only before (removed). */
  newOrRemoved: string[];
}

export interface DiffOptions {
  /**
   * Ranges whose edges merged external ranges must not cross (the intent's external
   * peers, say, so each printed range is inside or outside each of them).
   */
  keepBoundaries?: readonly Interval[];
}

interface RangeConn {
  range: Interval;
  conn: ConnSet;
}

/** External peer id -> its range, for both directions of one analysis. */
function rangeIndex(r: Reachability): Map<string, Interval> {
  return new Map([...r.srcExternal, ...r.dstExternal].map((e) => [e.id, e.range]));
}

interface Split {
  /** `src\0dst` -> connections between workloads. */
  pairs: Map<string, Connection>;
  /** Workload id -> its connections to external ranges. */
  toExternal: Map<string, RangeConn[]>;
  /** Workload id -> connections from external ranges to it. */
  fromExternal: Map<string, RangeConn[]>;
}

function split(r: Reachability): Split {
  const ranges = rangeIndex(r);
  const out: Split = { pairs: new Map(), toExternal: new Map(), fromExternal: new Map() };
  const push = (m: Map<string, RangeConn[]>, id: string, rc: RangeConn): void => {
    const l = m.get(id);
    if (l) l.push(rc);
    else m.set(id, [rc]);
  };
  for (const c of r.connections()) {
    const srcRange = ranges.get(c.src);
    const dstRange = ranges.get(c.dst);
    if (dstRange) push(out.toExternal, c.src, { range: dstRange, conn: c.conn });
    else if (srcRange) push(out.fromExternal, c.dst, { range: srcRange, conn: c.conn });
    else out.pairs.set(`${c.src}\u0000${c.dst}`, c);
  }
  return out;
}

/**
 * The (before, after) connections over the IPv4 space for one workload and direction,
 * as maximal ranges of equal (before, after); only the ranges where they differ.
 */
function diffRanges(
  before: readonly RangeConn[],
  after: readonly RangeConn[],
  keep: ReadonlySet<number>,
): { range: Interval; before: ConnSet; after: ConnSet }[] {
  const cuts = new Set<number>([0, ...keep]);
  for (const { range } of [...before, ...after]) {
    cuts.add(range[0]);
    if (range[1] < IPV4_MAX) cuts.add(range[1] + 1);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const byStart = (l: readonly RangeConn[]) => [...l].sort((a, b) => a.range[0] - b.range[0]);
  const a = byStart(before);
  const b = byStart(after);
  let i = 0;
  let j = 0;
  const pieces: { range: [number, number]; before: ConnSet; after: ConnSet }[] = [];
  sorted.forEach((lo, k) => {
    const hi = k + 1 < sorted.length ? sorted[k + 1] - 1 : IPV4_MAX;
    while (i < a.length && a[i].range[1] < lo) i++;
    while (j < b.length && b[j].range[1] < lo) j++;
    const cb = i < a.length && a[i].range[0] <= lo ? a[i].conn : ConnSet.NONE;
    const ca = j < b.length && b[j].range[0] <= lo ? b[j].conn : ConnSet.NONE;
    const last = pieces[pieces.length - 1];
    if (last && !keep.has(lo) && last.before.equals(cb) && last.after.equals(ca)) last.range[1] = hi;
    else pieces.push({ range: [lo, hi], before: cb, after: ca });
  });
  return pieces.filter((p) => !p.before.equals(p.after));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every pair whose allowed connections differ between `before` and `after`. */
export function diffReachability(
  before: Reachability,
  after: Reachability,
  options: DiffOptions = {},
): ConnectionDiff[] {
  const keep = new Set<number>();
  for (const [lo, hi] of options.keepBoundaries ?? []) {
    keep.add(lo);
    if (hi < IPV4_MAX) keep.add(hi + 1);
  }
  const sb = split(before);
  const sa = split(after);
  const workloadsBefore = new Set(before.model.workloads.map((w) => w.id));
  const workloadsAfter = new Set(after.model.workloads.map((w) => w.id));
  const isWorkload = (id: string) => before.workload(id) !== undefined || after.workload(id) !== undefined;
  const isSynthetic = (id: string) => (before.workload(id) ?? after.workload(id))?.synthetic === true;
  const out: ConnectionDiff[] = [];
  const add = (src: string, dst: string, b: ConnSet, a: ConnSet): void => {
    const type: DiffType = b.isEmpty() ? "added" : a.isEmpty() ? "removed" : "changed";
    const other = type === "added" ? workloadsBefore : workloadsAfter;
    const newOrRemoved =
      type === "changed"
        ? []
        : [src, dst].filter((id) => isWorkload(id) && !other.has(id) && !isSynthetic(id));
    out.push({ type, src, dst, before: b, after: a, newOrRemoved });
  };

  for (const key of new Set([...sb.pairs.keys(), ...sa.pairs.keys()])) {
    const b = sb.pairs.get(key);
    const a = sa.pairs.get(key);
    const cb = b?.conn ?? ConnSet.NONE;
    const ca = a?.conn ?? ConnSet.NONE;
    if (cb.equals(ca)) continue;
    const c = (b ?? a)!;
    add(c.src, c.dst, cb, ca);
  }
  for (const [dir, mb, ma] of [
    ["to", sb.toExternal, sa.toExternal],
    ["from", sb.fromExternal, sa.fromExternal],
  ] as const) {
    for (const w of new Set([...mb.keys(), ...ma.keys()])) {
      for (const d of diffRanges(mb.get(w) ?? [], ma.get(w) ?? [], keep)) {
        const ext = formatRange(d.range) + EXTERNAL_SUFFIX;
        if (dir === "to") add(w, ext, d.before, d.after);
        else add(ext, w, d.before, d.after);
      }
    }
  }
  const order = (t: DiffType) => DIFF_TYPES.indexOf(t);
  return out.sort((x, y) => order(x.type) - order(y.type) || cmp(x.src, y.src) || cmp(x.dst, y.dst));
}

/** Analyses both sides and diffs them; throws (naming the object) on invalid input, like analyse(). */
export function diffManifests(
  before: readonly unknown[],
  after: readonly unknown[],
  options: AnalyseOptions & DiffOptions = {},
): ConnectionDiff[] {
  return diffReachability(analyse(before, options), analyse(after, options), options);
}

/** Names of the two sides in the output (netpol-analyzer prints its flag names, dir1 and dir2). */
export type RefNames = readonly [string, string];
export const DEFAULT_REFS: RefNames = ["dir1", "dir2"];

function workloadsInfo(d: ConnectionDiff): string {
  return d.newOrRemoved.length ? `workload ${d.newOrRemoved.join(" and ")} ${d.type}` : "";
}

/** Lines of one category in netpol-analyzer's order: sorted as formatted. */
function byCategory(diffs: readonly ConnectionDiff[], line: (d: ConnectionDiff) => string): string[] {
  return DIFF_TYPES.flatMap((t) =>
    diffs
      .filter((d) => d.type === t)
      .map(line)
      .sort(cmp),
  );
}

/**
 * netpol-analyzer `diff` text: "Connectivity diff:" then one line per pair, changed
 * then added then removed; nothing at all when there is no difference.
 */
export function formatDiffText(diffs: readonly ConnectionDiff[], refs: RefNames = DEFAULT_REFS): string {
  if (diffs.length === 0) return "";
  const lines = byCategory(diffs, (d) => {
    const info = workloadsInfo(d);
    return (
      `diff-type: ${d.type}, source: ${d.src}, destination: ${d.dst}, ` +
      `${refs[0]}: ${d.before.toString()}, ${refs[1]}: ${d.after.toString()}` +
      (info ? `, workloads-diff-info: ${info}` : "")
    );
  });
  return ["Connectivity diff:", ...lines].join("\n") + "\n";
}

/** netpol-analyzer `diff -o md`: a table, one row per pair. */
export function formatDiffMarkdown(diffs: readonly ConnectionDiff[], refs: RefNames = DEFAULT_REFS): string {
  if (diffs.length === 0) return "";
  const head = [
    `| diff-type | source | destination | ${refs[0]} | ${refs[1]} | workloads-diff-info |`,
    "|-----------|--------|-------------|------|------|---------------------|",
  ];
  const rows = byCategory(
    diffs,
    (d) =>
      `| ${d.type} | ${d.src} | ${d.dst} | ${d.before.toString()} | ${d.after.toString()} | ${workloadsInfo(d)} |`,
  );
  return [...head, ...rows].join("\n") + "\n";
}

/** JSON (netpol-analyzer has none for diff): the text format's fields, in its order. */
export function formatDiffJson(diffs: readonly ConnectionDiff[], refs: RefNames = DEFAULT_REFS): string {
  const rows = DIFF_TYPES.flatMap((t) => diffs.filter((d) => d.type === t)).map((d) => ({
    diffType: d.type,
    src: d.src,
    dst: d.dst,
    [refs[0]]: d.before.toString(),
    [refs[1]]: d.after.toString(),
    ...(d.newOrRemoved.length ? { workloadsDiffInfo: workloadsInfo(d) } : {}),
  }));
  return JSON.stringify(rows, null, 2);
}
