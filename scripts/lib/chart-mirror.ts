/**
 * Makes a chart's `values.schema.json` validate offline. Helm resolves every `$ref` when
 * it validates values; a remote one (F5's nginx-ingress points at Kubernetes definitions
 * on raw.githubusercontent.com) makes `helm template` fail without network. Each remote
 * `$ref` to a Kubernetes definition is pointed at a local copy of that definition (and
 * of every definition it uses), taken from the Kubernetes OpenAPI document; any other
 * remote `$ref` is dropped, and the values path that loses its validation is reported.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface LocalisedSchema {
  schema: JsonObject;
  /** Remote `$ref`s now pointing at a local definition. */
  localised: number;
  /** Definitions copied into the schema's `definitions`. */
  copied: string[];
  /** Values paths whose validation was dropped, with the reason. */
  dropped: string[];
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A Kubernetes OpenAPI v2 definition as a JSON schema: `int-or-string` and `Quantity`
 * are strings in OpenAPI but accept numbers in YAML (`maxUnavailable: 1`, `cpu: 1`), as
 * the kubernetes-json-schema documents the charts point at say.
 */
function asJsonSchema(name: string, def: JsonObject): JsonObject {
  const description = def.description;
  const withDescription = (s: JsonObject) => (description === undefined ? s : { description, ...s });
  if (def.format === "int-or-string") {
    return withDescription({ oneOf: [{ type: "string" }, { type: "integer" }] });
  }
  if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity") {
    return withDescription({ oneOf: [{ type: "string" }, { type: "number" }] });
  }
  return def;
}

const LOCAL_DEF = /^#\/definitions\/([^/]+)/;

/** Every definition `name` uses, itself included. */
function closure(name: string, definitions: Readonly<Record<string, JsonObject>>): Set<string> {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n) || !definitions[n]) return;
    seen.add(n);
    const walk = (v: Json) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v)) {
        for (const [k, child] of Object.entries(v)) {
          if (k === "$ref" && typeof child === "string") {
            const m = LOCAL_DEF.exec(child);
            if (m) visit(decodeURIComponent(m[1]));
          } else walk(child);
        }
      }
    };
    walk(definitions[n]);
  };
  visit(name);
  return seen;
}

/** `properties.controller.properties.affinity` -> `controller.affinity` (items as `[]`). */
function valuesPath(schemaPath: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < schemaPath.length; i++) {
    const k = schemaPath[i];
    if ((k === "properties" || k === "patternProperties") && i + 1 < schemaPath.length)
      out.push(schemaPath[++i]);
    else if (k === "items" || k === "additionalProperties") out.push("[]");
  }
  return out.join(".").replace(/\.\[\]/g, "[]") || "(root)";
}

function pointerResolves(root: Json, pointer: string): boolean {
  let node: Json | undefined = root;
  for (const raw of pointer.replace(/^#\//, "").split("/")) {
    const k = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node) || !(k in node)) return false;
    node = node[k];
  }
  return true;
}

/**
 * Rewrites the remote `$ref`s of a values schema. `definitions` are the Kubernetes
 * OpenAPI definitions by name (`io.k8s.api.core.v1.Affinity`). Never throws away
 * validation silently: every dropped `$ref` is in `dropped` with its values path.
 */
export function localiseSchema(
  input: JsonObject,
  definitions: Readonly<Record<string, JsonObject>>,
): LocalisedSchema {
  const schema = structuredClone(input);
  const needed = new Set<string>();
  const dropped: string[] = [];
  let localised = 0;
  const walk = (node: Json, at: string[]): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...at, String(i)]));
      return;
    }
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === "string" && /^https?:\/\//.test(ref)) {
      const hash = ref.indexOf("#");
      const fragment = hash >= 0 ? ref.slice(hash) : "";
      const m = LOCAL_DEF.exec(fragment);
      const name = m ? decodeURIComponent(m[1]) : undefined;
      if (name && definitions[name]) {
        for (const n of closure(name, definitions)) needed.add(n);
        node.$ref = fragment;
        localised++;
      } else {
        delete node.$ref;
        dropped.push(
          `${valuesPath(at)}: no local definition for ${ref}; these values are no longer validated`,
        );
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== "$ref") walk(v, [...at, k]);
  };
  walk(schema, []);
  if (needed.size > 0) {
    const existing = isObject(schema.definitions) ? schema.definitions : {};
    const copied = [...needed].sort();
    for (const n of copied) {
      if (n in existing) throw new Error(`the schema already has a definition named ${n}`);
      existing[n] = asJsonSchema(n, definitions[n]);
    }
    schema.definitions = existing;
    // A fragment into a definition (…/PodSpec/properties/dnsPolicy) must resolve in the copy.
    const unresolved: string[] = [];
    const check = (node: Json, at: string[]): void => {
      if (Array.isArray(node)) node.forEach((v, i) => check(v, [...at, String(i)]));
      else if (isObject(node)) {
        const ref = node.$ref;
        if (typeof ref === "string" && ref.startsWith("#/") && !pointerResolves(schema, ref)) {
          delete node.$ref;
          unresolved.push(
            `${valuesPath(at)}: ${ref} does not resolve locally; these values are no longer validated`,
          );
        }
        for (const [k, v] of Object.entries(node)) if (k !== "$ref") check(v, [...at, k]);
      }
    };
    check(schema, []);
    dropped.push(...unresolved);
    return { schema, localised: localised - unresolved.length, copied, dropped };
  }
  return { schema, localised, copied: [], dropped };
}
