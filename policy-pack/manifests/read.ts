/**
 * Reads manifest files the way `kubectl apply -f <path> -R` would take them, with
 * bounds against hostile input: folders recursively (symbolic links followed, loops
 * refused), a size limit per file, text only (no binary data), YAML aliases and
 * nesting depth bounded, and YAML 1.1 booleans (`y`, `no`, `on`, ...) read as the
 * booleans Kubernetes reads them as.
 */
import * as fs from "fs";
import * as path from "path";
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, type Node } from "yaml";
import { InputError } from "./errors";

/** Extensions picked up inside folders; a file named on the command line is read whatever its name. */
export const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];
/** Largest file read (the API server's own request limit is 3 MiB per object). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Deepest nesting of mappings and lists accepted in one document. */
export const MAX_DEPTH = 100;
/** Most alias expansions accepted in one document (a "billion laughs" file needs far more). */
export const MAX_ALIASES = 100;

/** Limits stated once, for every CLI's --help. */
export const INPUT_LIMITS =
  `files up to ${MAX_FILE_BYTES / 1024 / 1024} MiB of UTF-8 text, nesting up to ${MAX_DEPTH} levels, ` +
  `up to ${MAX_ALIASES} YAML alias expansions per document`;

/**
 * Plain scalars that YAML 1.1 (sigs.k8s.io/yaml, and so kubectl and the API server)
 * reads as booleans but YAML 1.2 reads as strings. `true`/`false` are booleans in both.
 * https://yaml.org/type/bool.html
 */
const YAML11_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const YAML11_FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);

export interface ParsedDocument {
  /** 1-based document number in the file. */
  doc: number;
  value: unknown;
  /**
   * Paths (`spec.enabled`, `metadata.labels.canary`) whose unquoted YAML 1.1 boolean
   * was read as a boolean, with the text as written: a schema error there says to quote it.
   */
  yaml11Booleans: Map<string, string>;
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/**
 * The manifest files under `p`: `p` itself when it is a file; otherwise, recursively,
 * the *.yaml, *.yml and *.json files of the folder, sorted. Symbolic links are followed;
 * a link back into a folder being listed is refused as a loop.
 */
export function manifestFiles(p: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, ancestors: Set<string>): void => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (e) {
      throw new InputError(`${dir}: cannot resolve (${errnoOf(e)})`);
    }
    if (ancestors.has(real)) {
      throw new InputError(`${dir}: symbolic link loop (leads back to ${real}); remove the link`);
    }
    const inner = new Set(ancestors).add(real);
    let entries: string[];
    try {
      entries = fs.readdirSync(dir).sort();
    } catch (e) {
      throw new InputError(`${dir}: cannot list the folder (${errnoOf(e)})`);
    }
    for (const name of entries) {
      const full = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(full);
      } catch (e) {
        const code = errnoOf(e);
        const why = code === "ELOOP" ? "symbolic link loop" : code === "ENOENT" ? "dangling link" : code;
        throw new InputError(`${full}: cannot read (${why})`);
      }
      if (st.isDirectory()) walk(full, inner);
      else if (MANIFEST_EXTENSIONS.includes(path.extname(name).toLowerCase())) out.push(full);
    }
  };
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    const code = errnoOf(e);
    if (code === "ENOENT") throw new InputError(`${p}: no such file or folder`);
    throw new InputError(`${p}: cannot read (${code === "ELOOP" ? "symbolic link loop" : code})`);
  }
  if (st.isDirectory()) walk(p, new Set());
  else out.push(p);
  return out;
}

/** The file's text; refuses what is not a regular file, too large, or not UTF-8 text. */
export function readManifestText(file: string): string {
  // stat before open: opening a FIFO for reading blocks until a writer comes.
  let st0: fs.Stats;
  try {
    st0 = fs.statSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read (${errnoOf(e)})`);
  }
  if (!st0.isFile()) throw new InputError(`${file}: not a regular file (a device, pipe or socket)`);
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new InputError(`${file}: cannot read (${errnoOf(e)})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${file}: not a regular file (a device, pipe or socket)`);
    if (st.size > MAX_FILE_BYTES) {
      throw new InputError(
        `${file}: ${st.size} bytes, larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit; split it`,
      );
    }
    let buf: Buffer;
    try {
      buf = fs.readFileSync(fd);
    } catch (e) {
      throw new InputError(`${file}: cannot read (${errnoOf(e)})`);
    }
    if (buf.includes(0)) throw new InputError(`${file}: binary data (a NUL byte); manifests are UTF-8 text`);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buf);
    } catch {
      throw new InputError(`${file}: binary data (not valid UTF-8); manifests are UTF-8 text`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function keyText(key: unknown): string {
  const k = isScalar(key) ? key.value : key;
  return typeof k === "string" && /^[A-Za-z0-9_.\-/]+$/.test(k) ? k : JSON.stringify(k);
}

/**
 * Walks the document without recursion: refuses nesting deeper than MAX_DEPTH and
 * turns plain YAML 1.1 booleans into booleans, recording where.
 */
function readAsKubernetes(root: Node | null, where: string): Map<string, string> {
  const found = new Map<string, string>();
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: root, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { node, path: at, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) {
      throw new InputError(`${where}: nested deeper than ${MAX_DEPTH} levels (at ${at || "the root"})`);
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const child = at === "" ? keyText(pair.key) : `${at}.${keyText(pair.key)}`;
        stack.push({ node: pair.value, path: child, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: `${at}[${i}]`, depth: depth + 1 }));
    } else if (isScalar(node) && node.type === Scalar.PLAIN && typeof node.value === "string" && !node.tag) {
      const text = node.value;
      if (YAML11_TRUE.has(text) || YAML11_FALSE.has(text)) {
        node.value = YAML11_TRUE.has(text);
        found.set(at, text);
      }
    } else if (isAlias(node)) {
      // Resolved (and counted against MAX_ALIASES) by toJS below.
    }
  }
  return found;
}

/** Refuses a plain value nested deeper than MAX_DEPTH (checked without recursion). */
function checkDepth(root: unknown, where: string): void {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_DEPTH) throw new InputError(`${where}: nested deeper than ${MAX_DEPTH} levels`);
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth + 1]);
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}

/** Parses multi-document YAML (JSON is YAML) into plain values, one per non-empty document. */
export function parseManifestText(text: string, file: string): ParsedDocument[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    // A JSON file: JSON.parse is far faster than the YAML parser on large files (see
    // docs/reachability.md), and JSON has no unquoted scalars, so YAML 1.1 changes nothing.
    // Not plain JSON (a YAML flow mapping, say): the YAML parser below reads it.
    let value: unknown;
    let isJson = true;
    try {
      value = JSON.parse(text);
    } catch {
      isJson = false;
    }
    if (isJson) {
      checkDepth(value, `${file}: document 1`);
      return value === null ? [] : [{ doc: 1, value, yaml11Booleans: new Map() }];
    }
  }
  const out: ParsedDocument[] = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((d, i) => {
    const where = `${file}: document ${i + 1}`;
    if (d.errors.length > 0) {
      const msg = d.errors[0].message;
      if (/Maximum call stack/.test(msg)) throw new InputError(`${where}: nested too deeply to read`);
      throw new InputError(`${where}: invalid YAML (${firstLine(msg)})`);
    }
    const yaml11Booleans = readAsKubernetes(d.contents, where);
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      if (/alias/i.test((e as Error).message)) {
        throw new InputError(
          `${where}: more than ${MAX_ALIASES} YAML alias expansions (an alias bomb?); expand the aliases`,
        );
      }
      throw new InputError(`${where}: cannot read (${firstLine((e as Error).message)})`);
    }
    if (value === null || value === undefined) return;
    checkDepth(value, where); // aliases can nest what the walk above saw shallow
    out.push({ doc: i + 1, value, yaml11Booleans });
  });
  return out;
}
