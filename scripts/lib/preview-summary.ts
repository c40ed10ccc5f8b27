/**
 * Parses the output of `pulumi preview --json` (Pulumi CLI v3.248) and renders a Markdown summary for a
 * pull-request comment. Pure: no process, file or network access; scripts/preview-summary.ts runs pulumi.
 *
 * Two shapes come out of `pulumi preview --json`, both accepted here:
 *  - "digest" (the default): one JSON object `{config, steps, diagnostics, duration, changeSummary,
 *    maybeCorrupt}` (pkg/display/json.go `PreviewDigest`). Steps carry `op`, `urn`, `newState.type`,
 *    `diffReasons`, `replaceReasons` and `detailedDiff: {path: {kind, inputDiff}}`. It carries NO policy
 *    events (pkg/backend/display/json.go skips them), so a mandatory violation shows only as the
 *    diagnostic "error: preview failed".
 *  - "events" (`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true`): one engine event per line (apitype.EngineEvent):
 *    `resourcePreEvent.metadata {op, urn, type, keys, diffs, detailedDiff: {path: {diffKind, inputDiff}}}`,
 *    `policyEvent {policyName, enforcementLevel, resourceUrn, message, severity}`, `diagnosticEvent`,
 *    `summaryEvent {resourceChanges, result}`. This is the shape scripts/preview-summary.ts asks for.
 *    Its `old`/`new` states (with `inputs`) of every resource, unchanged ones too, give the
 *    connectivity diff per cluster (./preview-connectivity.ts); the digest omits unchanged steps.
 */
import {
  connectivityFailures,
  previewConnectivity,
  sortChanges,
  StateCollector,
  type ConnectivityReport,
} from "./preview-connectivity";

export type PreviewFormat = "digest" | "events";

export interface ResourceStep {
  op: string;
  urn: string;
  type: string;
  name: string;
  /** Properties that force a replacement (replace steps). */
  replaceReasons: string[];
  /** Properties that differ (update and replace steps). */
  changedProperties: string[];
}

export interface PolicyViolation {
  policy: string;
  pack?: string;
  level: string;
  severity?: string;
  urn?: string;
  type?: string;
  name?: string;
  message: string;
}

export interface Diagnostic {
  severity: string;
  message: string;
  urn?: string;
}

export interface PreviewResult {
  format: PreviewFormat;
  /** Resource count per operation, as the engine's change summary reports it. */
  counts: Record<string, number>;
  /** Steps other than `same`; replacement sub-steps (create-replacement, delete-replaced) folded into `replace`. */
  steps: ResourceStep[];
  violations: PolicyViolation[];
  /** Warnings and errors (info and debug dropped). */
  diagnostics: Diagnostic[];
  /** `summaryEvent.result` in the events format ("succeeded", "failed"); absent in the digest. */
  result?: string;
  /** False for the digest, which has no policy events. */
  policyEventsIncluded: boolean;
  maybeCorrupt: boolean;
  /** What the change does to connectivity, per cluster (events format only). */
  connectivity: ConnectivityReport;
}

export interface Verdict {
  failed: boolean;
  reasons: string[];
}

export class PreviewParseError extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → the last type of the chain and the name. */
export function splitUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4) return { type: "", name: urn };
  const chain = parts[2].split("$");
  return { type: chain[chain.length - 1], name: parts.slice(3).join("::") };
}

/** Property paths whose detailed diff kind forces a replacement (`add-replace`, `update-replace`, `delete-replace`). */
function detailedDiff(v: unknown): { all: string[]; replacing: string[] } {
  const all: string[] = [];
  const replacing: string[] = [];
  if (isObject(v)) {
    for (const [path, d] of Object.entries(v)) {
      all.push(path);
      const kind = isObject(d) ? (str(d.kind) ?? str(d.diffKind) ?? "") : "";
      if (kind.endsWith("-replace")) replacing.push(path);
    }
  }
  return { all, replacing };
}

function toStep(
  op: string,
  urn: string,
  type: string | undefined,
  m: Json,
  reasonsKey: string,
  diffsKey: string,
) {
  const dd = detailedDiff(m.detailedDiff);
  const replaceReasons = strings(m[reasonsKey]);
  const diffs = strings(m[diffsKey]);
  const fromUrn = splitUrn(urn);
  return {
    op,
    urn,
    type: type ?? fromUrn.type,
    name: fromUrn.name,
    replaceReasons: unique(replaceReasons.length > 0 ? replaceReasons : dd.replacing),
    changedProperties: unique(dd.all.length > 0 ? dd.all : diffs),
  };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function countsFromSteps(steps: ResourceStep[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of steps) counts[s.op] = (counts[s.op] ?? 0) + 1;
  return counts;
}

function numberRecord(v: unknown): Record<string, number> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v)) if (typeof n === "number") out[k] = n;
  return out;
}

function diagnostic(d: Json): Diagnostic | undefined {
  const severity = str(d.severity) ?? "";
  if (severity !== "error" && severity !== "warning") return undefined;
  const prefix = str(d.prefix) ?? "";
  let message = `${prefix}${str(d.message) ?? ""}`.trim();
  // The engine prefixes the severity ("error: ..."); the summary labels severity itself.
  if (message.startsWith(`${severity}: `)) message = message.slice(severity.length + 2);
  return { severity, message, urn: str(d.urn) || undefined };
}

function parseDigest(d: Json): PreviewResult {
  const steps: ResourceStep[] = [];
  for (const s of Array.isArray(d.steps) ? d.steps : []) {
    if (!isObject(s)) continue;
    const op = str(s.op);
    const urn = str(s.urn);
    if (!op || !urn || op === "same") continue;
    const state = isObject(s.newState) ? s.newState : isObject(s.oldState) ? s.oldState : {};
    steps.push(toStep(op, urn, str(state.type), s, "replaceReasons", "diffReasons"));
  }
  const diagnostics = (Array.isArray(d.diagnostics) ? d.diagnostics : [])
    .filter(isObject)
    .map(diagnostic)
    .filter((x): x is Diagnostic => x !== undefined);
  return {
    format: "digest",
    counts: numberRecord(d.changeSummary) ?? countsFromSteps(steps),
    steps: foldReplacements(steps),
    violations: [],
    diagnostics,
    policyEventsIncluded: false,
    maybeCorrupt: d.maybeCorrupt === true,
    connectivity: {
      available: false,
      reason:
        "the `pulumi preview --json` digest lists only changed resources, not the unchanged " +
        "NetworkPolicies (set `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true` for the event stream)",
    },
  };
}

function parseEvents(events: Json[]): PreviewResult {
  const steps: ResourceStep[] = [];
  const violations: PolicyViolation[] = [];
  const diagnostics: Diagnostic[] = [];
  let counts: Record<string, number> | undefined;
  let result: string | undefined;
  let maybeCorrupt = false;
  const states = new StateCollector();
  for (const e of events) {
    const pre = isObject(e.resourcePreEvent) ? e.resourcePreEvent.metadata : undefined;
    if (isObject(pre)) {
      states.add(pre);
      const op = str(pre.op);
      const urn = str(pre.urn);
      if (op && urn && op !== "same") steps.push(toStep(op, urn, str(pre.type), pre, "keys", "diffs"));
    }
    if (isObject(e.policyEvent)) {
      const p = e.policyEvent;
      const urn = str(p.resourceUrn) || undefined;
      violations.push({
        policy: str(p.policyName) ?? "(unnamed policy)",
        pack: str(p.policyPackName),
        level: str(p.enforcementLevel) || "unknown",
        severity: str(p.severity),
        urn,
        ...(urn ? splitUrn(urn) : {}),
        message: str(p.message) ?? "",
      });
    }
    if (isObject(e.diagnosticEvent) && e.diagnosticEvent.ephemeral !== true) {
      const d = diagnostic(e.diagnosticEvent);
      if (d) diagnostics.push(d);
    }
    if (isObject(e.summaryEvent)) {
      counts = numberRecord(e.summaryEvent.resourceChanges);
      result = str(e.summaryEvent.result);
      maybeCorrupt = e.summaryEvent.maybeCorrupt === true;
    }
  }
  return {
    format: "events",
    counts: counts ?? countsFromSteps(foldReplacements(steps)),
    steps: foldReplacements(steps),
    violations,
    diagnostics,
    result,
    policyEventsIncluded: true,
    maybeCorrupt,
    connectivity: previewConnectivity(states.states()),
  };
}

/**
 * A replacement is a logical `replace` step plus `create-replacement` and `delete-replaced` (the events
 * format has all three; the digest only `replace`). Keep one `replace` per URN, with the reasons of all.
 */
function foldReplacements(steps: ResourceStep[]): ResourceStep[] {
  const SUB = new Set(["create-replacement", "delete-replaced", "replace"]);
  const replaced = new Map<string, ResourceStep>();
  const out: ResourceStep[] = [];
  const seen = new Set<string>();
  for (const s of steps) {
    if (SUB.has(s.op)) {
      const r = replaced.get(s.urn);
      if (r) {
        r.replaceReasons = unique([...r.replaceReasons, ...s.replaceReasons]);
        r.changedProperties = unique([...r.changedProperties, ...s.changedProperties]);
      } else {
        const step = { ...s, op: "replace" };
        replaced.set(s.urn, step);
        out.push(step);
      }
      continue;
    }
    const key = `${s.op} ${s.urn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

/** Parses either shape of `pulumi preview --json` output; throws PreviewParseError when it is neither. */
export function parsePreviewOutput(text: string): PreviewResult {
  const trimmed = text.trim();
  if (trimmed === "") throw new PreviewParseError("no preview output (empty)");
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    whole = undefined;
  }
  if (isObject(whole) && !("sequence" in whole)) {
    if (!("steps" in whole) && !("changeSummary" in whole) && !("diagnostics" in whole)) {
      throw new PreviewParseError(
        "JSON object is not a preview digest (no steps, changeSummary or diagnostics)",
      );
    }
    return parseDigest(whole);
  }
  if (Array.isArray(whole)) return parseEvents(whole.filter(isObject));
  if (isObject(whole)) return parseEvents([whole]);
  const events: Json[] = [];
  trimmed.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new PreviewParseError(`line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
    }
    if (!isObject(e)) throw new PreviewParseError(`line ${i + 1} is not a JSON object`);
    events.push(e);
  });
  if (!events.some((e) => "sequence" in e || "summaryEvent" in e)) {
    throw new PreviewParseError("JSON lines are not Pulumi engine events");
  }
  return parseEvents(events);
}

/**
 * Failed when pulumi exited non-zero, a diagnostic has severity error, the engine's summary says failed,
 * a mandatory policy was violated, or the output could not be read at all (`result` undefined).
 */
export function verdict(result: PreviewResult | undefined, exitCode?: number | null): Verdict {
  const reasons: string[] = [];
  if (exitCode !== undefined && exitCode !== 0) {
    reasons.push(exitCode === null ? "pulumi was killed by a signal" : `pulumi exited with code ${exitCode}`);
  }
  if (!result) {
    reasons.push("no readable preview output");
    return { failed: true, reasons };
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) reasons.push(`${errors} error diagnostic(s)`);
  if (result.result !== undefined && result.result !== "succeeded") {
    reasons.push(`engine result "${result.result}"`);
  }
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  if (mandatory > 0) reasons.push(`${mandatory} mandatory policy violation(s)`);
  const conn = connectivityFailures(result.connectivity);
  reasons.push(...conn.slice(0, 5));
  if (conn.length > 5) reasons.push(`${conn.length - 5} more connectivity failure(s)`);
  return { failed: reasons.length > 0, reasons };
}

const OP_ORDER = ["create", "update", "replace", "delete", "same"];
const LEVEL_ORDER = ["mandatory", "remediate", "advisory", "disabled"];
const byOrder = (order: string[]) => (a: string, b: string) => {
  const ia = order.indexOf(a) < 0 ? order.length : order.indexOf(a);
  const ib = order.indexOf(b) < 0 ? order.length : order.indexOf(b);
  return ia - ib || a.localeCompare(b);
};

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const t = text.replace(/\s+/g, " ");
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  return longest > 0 ? `${fence} ${t} ${fence}` : `${fence}${t}${fence}`;
}

/** One line of Markdown text: whitespace collapsed, characters with Markdown/HTML meaning escaped. */
export function inline(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\*_[\]<>|]/g, (c) => `\\${c}`);
}

function resourceLabel(s: { type?: string; name?: string; urn?: string }): string {
  if (!s.name) return s.urn ? code(s.urn) : "(stack)";
  return `${s.type ? `${code(s.type)} ` : ""}**${inline(s.name)}**`;
}

function list(items: string[], max: number): string[] {
  const shown = items.slice(0, max).map((i) => `- ${i}`);
  if (items.length > max) shown.push(`- … and ${items.length - max} more`);
  return shown;
}

const VERDICT_LABEL: Record<string, string> = {
  unintended: "❌ unintended",
  intended: "✅ intended",
  "outside intent": "outside the intent",
};

/**
 * The connectivity section, first in the comment: per cluster a table of the paths the
 * change opens and closes, or one line when it changes nothing.
 */
export function renderConnectivity(report: ConnectivityReport | undefined, max: number): string[] {
  if (!report) return [];
  if (!report.available) return [`**Connectivity:** not available: ${inline(report.reason)}.`, ""];
  const out: string[] = [];
  const quiet = report.clusters.filter((c) => !c.error && c.changes.length === 0);
  const names = (cs: typeof report.clusters) => cs.map((c) => code(c.cluster)).join(", ");
  if (quiet.length === report.clusters.length) {
    return [
      `**Connectivity:** no change (${quiet.length === 1 ? "cluster" : "clusters"} ${names(quiet)}).`,
      "",
    ];
  }
  out.push("#### Connectivity", "");
  for (const c of report.clusters) {
    if (c.error) {
      out.push(`Cluster ${code(c.cluster)}: ❌ cannot be computed: ${inline(c.error)}`, "");
      continue;
    }
    if (c.changes.length === 0) continue;
    const sorted = sortChanges(c.changes);
    out.push(`Cluster ${code(c.cluster)}: ${c.changes.length} change(s)`, "");
    if (!c.intentFound) out.push("No traffic intent ConfigMap in the new state: nothing is judged.", "");
    out.push("| change | path | connections | verdict |", "| --- | --- | --- | --- |");
    for (const ch of sorted.slice(0, max)) {
      out.push(
        `| ${ch.change} | ${inline(`${ch.srcName} → ${ch.dstName}`)} | ${inline(ch.conn.toString())} | ${VERDICT_LABEL[ch.verdict]} |`,
      );
    }
    if (sorted.length > max) out.push(`| … | and ${sorted.length - max} more | | |`);
    out.push("");
  }
  if (quiet.length > 0) out.push(`No connectivity change in ${names(quiet)}.`, "");
  return out;
}

export interface RenderOptions {
  stack: string;
  exitCode?: number | null;
  /** Tail of pulumi's stderr, shown when the preview failed. */
  stderr?: string;
  /** Error reading the output (then `result` is undefined). */
  parseError?: string;
  /** Items listed per section before "… and N more". */
  maxItems?: number;
}

/** The pull-request comment. */
export function renderMarkdown(result: PreviewResult | undefined, opts: RenderOptions): string {
  const max = opts.maxItems ?? 50;
  const v = verdict(result, opts.exitCode);
  const out: string[] = [];
  out.push(`### Pulumi preview: \`${opts.stack}\` ${v.failed ? "❌ failed" : "✅ succeeded"}`, "");
  if (v.failed) out.push(`**Preview failed:** ${v.reasons.join("; ")}.`, "");
  if (opts.parseError) out.push(`Could not read the preview output: ${inline(opts.parseError)}`, "");

  if (result) {
    out.push(...renderConnectivity(result.connectivity, max));
    const ops = Object.keys(result.counts).sort(byOrder(OP_ORDER));
    if (ops.length > 0) {
      out.push("| Operation | Resources |", "| --- | ---: |");
      for (const op of ops) out.push(`| ${op === "same" ? "unchanged" : op} | ${result.counts[op]} |`);
      out.push("");
    } else out.push("No resource changes.", "");
    if (result.maybeCorrupt) out.push("⚠️ The engine reports that some resources may be corrupt.", "");

    const steps = (op: string) => result.steps.filter((s) => s.op === op);
    const replaces = steps("replace");
    if (replaces.length > 0) {
      out.push(`#### Replaces (${replaces.length})`, "");
      out.push(
        ...list(
          replaces.map((s) => {
            const why = s.replaceReasons.length > 0 ? s.replaceReasons : s.changedProperties;
            return `${resourceLabel(s)}: replaced because of ${why.length > 0 ? why.map(code).join(", ") : "(no property reported)"}`;
          }),
          max,
        ),
        "",
      );
    }
    const deletes = steps("delete");
    if (deletes.length > 0) {
      out.push(`#### Deletes (${deletes.length})`, "", ...list(deletes.map(resourceLabel), max), "");
    }
    const updates = steps("update");
    if (updates.length > 0) {
      out.push(`#### Updates (${updates.length})`, "");
      out.push(
        ...list(
          updates.map(
            (s) =>
              `${resourceLabel(s)}${s.changedProperties.length > 0 ? `: ${s.changedProperties.map(code).join(", ")}` : ""}`,
          ),
          max,
        ),
        "",
      );
    }
    const creates = steps("create");
    if (creates.length > 0) {
      out.push(`<details><summary>Creates (${creates.length})</summary>`, "");
      out.push(...list(creates.map(resourceLabel), max), "", "</details>", "");
    }
    const others = result.steps.filter((s) => !["create", "update", "replace", "delete"].includes(s.op));
    if (others.length > 0) {
      out.push(`#### Other operations (${others.length})`, "");
      out.push(
        ...list(
          others.map((s) => `${code(s.op)} ${resourceLabel(s)}`),
          max,
        ),
        "",
      );
    }

    out.push(
      result.policyEventsIncluded
        ? `#### Policy violations (${result.violations.length})`
        : "#### Policy violations",
      "",
    );
    if (!result.policyEventsIncluded) {
      out.push(
        "Not available: the `pulumi preview --json` digest carries no policy events (set " +
          "`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true` for the event stream).",
        "",
      );
    } else if (result.violations.length === 0) out.push("None.", "");
    const levels = unique(result.violations.map((x) => x.level)).sort(byOrder(LEVEL_ORDER));
    for (const level of levels) {
      const vs = result.violations.filter((x) => x.level === level);
      out.push(`##### ${level} (${vs.length})`, "");
      out.push(
        ...list(
          vs.map(
            (x) =>
              `**${inline(x.policy)}**${x.severity ? ` (${inline(x.severity)})` : ""} on ${resourceLabel(x)}: ` +
              `${inline(x.message)}${x.urn ? `<br><sub>${code(x.urn)}</sub>` : ""}`,
          ),
          max,
        ),
        "",
      );
    }

    const errors = result.diagnostics.filter((d) => d.severity === "error");
    const warnings = result.diagnostics.filter((d) => d.severity === "warning");
    for (const [title, ds] of [
      ["Errors", errors],
      ["Warnings", warnings],
    ] as const) {
      if (ds.length === 0) continue;
      out.push(`#### ${title} (${ds.length})`, "");
      out.push(
        ...list(
          ds.map((d) => `${d.urn ? `${resourceLabel(splitUrn(d.urn))}: ` : ""}${inline(d.message)}`),
          max,
        ),
        "",
      );
    }
  }

  if (v.failed && opts.stderr && opts.stderr.trim() !== "") {
    const tail = opts.stderr.trim().split("\n").slice(-20).join("\n").replace(/```/g, "ʼʼʼ");
    out.push(
      "<details><summary>pulumi stderr (last lines)</summary>",
      "",
      "```",
      tail,
      "```",
      "",
      "</details>",
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}
