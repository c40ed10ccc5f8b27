/**
 * Reads plain Kubernetes manifests for the policy check: files or folders
 * (recursively, *.yaml / *.yml / *.json), multi-document YAML, and `List` kinds.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import type { K8sManifest } from "./k8s";
import { isRecord, typeTokenFor } from "./k8s";
import type { PackResource } from "./run";

/** Unreadable or invalid input; the message names the file and the reason. */
export class InputError extends Error {}

export interface LoadedManifest {
  manifest: K8sManifest;
  file: string;
  /** 1-based document number in the file (List items share their List's). */
  doc: number;
}

const EXTENSIONS = [".yaml", ".yml", ".json"];

function listFiles(p: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new InputError(`${p}: no such file or folder`);
  }
  if (st.isFile()) return [p];
  if (!st.isDirectory()) throw new InputError(`${p}: not a file or folder`);
  return fs
    .readdirSync(p, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(p, e.name);
      if (e.isDirectory()) return listFiles(full);
      return EXTENSIONS.includes(path.extname(e.name).toLowerCase()) ? [full] : [];
    });
}

function checkObject(v: unknown, where: string): K8sManifest {
  if (!isRecord(v)) throw new InputError(`${where}: not a mapping, so not a Kubernetes object`);
  const meta = v.metadata;
  if (typeof v.apiVersion !== "string" || typeof v.kind !== "string") {
    throw new InputError(`${where}: not a Kubernetes object (apiVersion and kind must be strings)`);
  }
  if (!isRecord(meta) || typeof meta.name !== "string" || meta.name === "") {
    throw new InputError(`${where}: ${v.kind} has no metadata.name`);
  }
  return v as K8sManifest;
}

export function loadManifests(paths: string[]): LoadedManifest[] {
  const out: LoadedManifest[] = [];
  for (const p of paths) {
    const files = listFiles(p);
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (e) {
        throw new InputError(`${file}: cannot read (${(e as Error).message})`);
      }
      const docs = parseAllDocuments(text);
      const list = Array.isArray(docs) ? docs : [docs];
      list.forEach((d, i) => {
        const where = `${file}: document ${i + 1}`;
        if (d.errors.length > 0)
          throw new InputError(`${where}: invalid YAML (${d.errors[0].message.split("\n")[0]})`);
        const v: unknown = d.toJS();
        if (v === null || v === undefined) return;
        if (isRecord(v) && typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items)) {
          v.items.forEach((item, j) =>
            out.push({ manifest: checkObject(item, `${where}, items[${j}]`), file, doc: i + 1 }),
          );
          return;
        }
        out.push({ manifest: checkObject(v, where), file, doc: i + 1 });
      });
    }
  }
  return out;
}

/** The manifests as stack resources: type token from apiVersion/kind, a URN per object. */
export function manifestsToResources(loaded: LoadedManifest[]): PackResource[] {
  return loaded.map(({ manifest: m }) => {
    const type = typeTokenFor(m.apiVersion, m.kind);
    const name = m.metadata.name ?? "";
    const id = `${m.metadata.namespace ?? ""}/${name}`;
    return {
      type,
      name,
      props: m as Record<string, unknown>,
      urn: `urn:pulumi:plain::policy-check::${type}::${id}`,
    };
  });
}
