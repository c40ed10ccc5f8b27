/**
 * The one manifest loader of the project: `npm run policy:check`, `npm run
 * reachability` (and its diff), and the tests read plain Kubernetes manifests through
 * it. It refuses, with an InputError naming the file, the document, the object and
 * the field, everything the API server would refuse or that cannot be read safely
 * (see read.ts for the bounds), so the rules and the analyser only ever judge objects
 * a cluster would accept.
 */
import { apiServerProblems } from "./api-rules";
import { InputError } from "./errors";
import { MANIFEST_EXTENSIONS, manifestFiles, parseManifestText, readManifestText } from "./read";
import { isBuiltInGroup, validateSchema, type SchemaProblem } from "./schema";
import { isRecord, type K8sManifest } from "./types";

export { InputError } from "./errors";
export { INPUT_LIMITS, MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES } from "./read";
export * from "./types";

export interface LoadedManifest {
  manifest: K8sManifest;
  file: string;
  /** 1-based document number in the file (List items share their List's). */
  doc: number;
  /** Index in the List's items, when the object came from a List. */
  item?: number;
}

function objectName(v: Record<string, unknown>): string {
  const meta = isRecord(v.metadata) ? v.metadata : {};
  const ns = typeof meta.namespace === "string" && meta.namespace !== "" ? `${meta.namespace}/` : "";
  const name = typeof meta.name === "string" && meta.name !== "" ? meta.name : "(unnamed)";
  return `${String(v.kind)} ${ns}${name}`;
}

function quoteHint(field: string, yaml11: Map<string, string>): string {
  const text = yaml11.get(field);
  if (text === undefined) return "";
  return ` (the unquoted ${text} is a YAML 1.1 boolean to kubectl and the API server; quote it: "${text}")`;
}

function fail(where: string, problems: SchemaProblem[], yaml11: Map<string, string>): never {
  // The first problem in field order makes the one-line reason; the count says there are more.
  // The schema and the API-server rules may both flag one field: one problem per field.
  problems = problems.filter((x, i) => problems.findIndex((y) => y.field === x.field) === i);
  const sorted = [...problems].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const p = sorted.find((x) => yaml11.has(x.field)) ?? sorted[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : "";
  const field = p.field === "" ? "" : `${p.field}: `;
  throw new InputError(`${where}: ${field}${p.reason}${quoteHint(p.field, yaml11)}${more}`);
}

/**
 * Checks one object as the API server would: structure, the schema of its kind, and
 * the API server's own rules. `yaml11` holds the fields read as YAML 1.1 booleans,
 * relative to this object.
 */
export function checkManifest(v: unknown, at: string, yaml11: Map<string, string> = new Map()): K8sManifest {
  if (!isRecord(v)) {
    throw new InputError(`${at}: not a Kubernetes object (a mapping with apiVersion, kind and metadata)`);
  }
  if (
    typeof v.apiVersion !== "string" ||
    v.apiVersion === "" ||
    typeof v.kind !== "string" ||
    v.kind === ""
  ) {
    throw new InputError(
      `${at}: not a Kubernetes object (apiVersion and kind must be strings, e.g. apiVersion: v1, kind: Service)`,
    );
  }
  const where = `${at}: ${objectName(v)}`;
  const meta = v.metadata;
  if (!isRecord(meta))
    fail(where, [{ field: "metadata", reason: "is required (a mapping with name)" }], yaml11);
  if (typeof meta.name !== "string" || meta.name === "") {
    fail(where, [{ field: "metadata.name", reason: "must be a non-empty string" }], yaml11);
  }
  const verdict = validateSchema({ apiVersion: v.apiVersion, kind: v.kind });
  if (verdict.status === "unknown-kind") throw new InputError(`${where}: ${verdict.reason}`);
  const problems: SchemaProblem[] = [];
  if (verdict.status !== "no-schema") {
    const full = validateSchema(v as { apiVersion: string; kind: string });
    if (full.status === "invalid") problems.push(...full.problems);
  }
  problems.push(...apiServerProblems(v, isBuiltInGroup(v.apiVersion) && verdict.status !== "no-schema"));
  if (problems.length > 0) fail(where, problems, yaml11);
  return v as K8sManifest;
}

function within(yaml11: Map<string, string>, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, text] of yaml11) {
    if (k.startsWith(`${prefix}.`)) out.set(k.slice(prefix.length + 1), text);
  }
  return out;
}

/** Parses one file's text into checked objects (`List` kinds flattened). */
export function parseManifests(text: string, file: string): LoadedManifest[] {
  const out: LoadedManifest[] = [];
  for (const { doc, value, yaml11Booleans } of parseManifestText(text, file)) {
    const at = `${file}: document ${doc}`;
    if (
      isRecord(value) &&
      typeof value.kind === "string" &&
      value.kind.endsWith("List") &&
      Array.isArray(value.items)
    ) {
      value.items.forEach((item: unknown, j: number) =>
        out.push({
          manifest: checkManifest(item, `${at}, items[${j}]`, within(yaml11Booleans, `items[${j}]`)),
          file,
          doc,
          item: j,
        }),
      );
    } else {
      out.push({ manifest: checkManifest(value, at, yaml11Booleans), file, doc });
    }
  }
  return out;
}

/**
 * Reads and checks every manifest under `paths` (files, or folders recursively).
 * Throws an InputError when anything would be refused, and when there is no object at all.
 */
export function loadManifests(paths: readonly string[]): LoadedManifest[] {
  if (paths.length === 0) throw new InputError("no files or folders given");
  const out: LoadedManifest[] = [];
  for (const p of paths) {
    for (const file of manifestFiles(p)) out.push(...parseManifests(readManifestText(file), file));
  }
  if (out.length === 0) {
    throw new InputError(
      `${paths.join(", ")}: no Kubernetes objects found (looked for *${MANIFEST_EXTENSIONS.join(", *")})`,
    );
  }
  return out;
}
