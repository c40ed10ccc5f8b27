import { parseAllDocuments } from "yaml";

/**
 * Parses multi-document YAML (or JSON) into plain objects; `List` kinds are kept as
 * they are (the analyser flattens them). Throws an Error naming `source` and the
 * reason on a syntax error.
 */
export function parseManifests(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    // JSON is YAML; JSON.parse is much faster on large files. Fall back to the YAML
    // parser (and its error messages) when it is not plain JSON.
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw new Error(`${source}: the JSON document is not a Kubernetes object`);
      }
      return [v];
    } catch (e) {
      if ((e as Error).message.startsWith(`${source}:`)) throw e;
      /* not JSON: parse as YAML below */
    }
  }
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const v: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (v === null || v === undefined) continue;
    if (typeof v !== "object" || Array.isArray(v)) {
      throw new Error(
        `${source}: a document is not a Kubernetes object (got ${Array.isArray(v) ? "a list" : typeof v})`,
      );
    }
    out.push(v);
  }
  return out;
}
