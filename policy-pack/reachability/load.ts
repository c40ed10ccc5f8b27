import * as fs from "fs";
import * as path from "path";
import { parseManifests } from "./manifests";
import { readObjects } from "./objects";

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** YAML/JSON files under `p` (a file is taken whatever its name), sorted, recursing into folders. */
export function manifestFiles(p: string): string[] {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return [p];
  return fs
    .readdirSync(p, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const full = path.join(p, e.name);
      if (e.isDirectory()) return manifestFiles(full);
      return EXTENSIONS.has(path.extname(e.name).toLowerCase()) ? [full] : [];
    });
}

/**
 * Reads every manifest under `paths`. Throws an Error starting with the file's name
 * when a file cannot be read, is not YAML, or holds an invalid object.
 */
export function loadManifests(paths: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = manifestFiles(p);
    } catch (e) {
      throw new Error(`${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: cannot read`);
    }
    for (const f of files) {
      let text: string;
      try {
        text = fs.readFileSync(f, "utf8");
      } catch (e) {
        throw new Error(`${f}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const objs = parseManifests(text, f);
      try {
        readObjects(objs); // check each file on its own so errors can name it
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`);
      }
      out.push(...objs);
    }
  }
  return out;
}
