/**
 * The real upstream charts, for tests: where the chart mirror is, the Helm CLI
 * (scripts/helm.sh builds it), `helm template` with the Kubernetes version and API
 * groups of a real cluster, and a chart's tree (values.yaml, values.schema.json,
 * templates, subcharts) read from disk.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments, parse } from "yaml";
import { K8sObject } from "../../lib/k8s-object";

const REPO = path.resolve(__dirname, "..", "..");

/** The Kubernetes version the charts are rendered for (the local control plane's). */
export const KUBE_VERSION = "v1.34.4";

/**
 * API groups/versions a platform cluster serves beyond the built-in ones: the CRDs the
 * stacks install (Istio, cert-manager, the Prometheus operator, Gateway API, Submariner),
 * so charts that gate objects on `.Capabilities.APIVersions` render them.
 */
export const API_VERSIONS = [
  "monitoring.coreos.com/v1",
  "monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PodMonitor",
  "monitoring.coreos.com/v1/PrometheusRule",
  "cert-manager.io/v1",
  "cert-manager.io/v1/Certificate",
  "cert-manager.io/v1/Issuer",
  "networking.istio.io/v1",
  "security.istio.io/v1",
  "telemetry.istio.io/v1",
  "gateway.networking.k8s.io/v1",
  "submariner.io/v1alpha1",
  "policy/v1/PodDisruptionBudget",
  "autoscaling/v2",
];

/** The upstream chart mirror (one unpacked chart per key): $NETPLAT_CHART_MIRROR or ../shared/charts. */
export function sharedChartMirror(): string {
  const dir = process.env.NETPLAT_CHART_MIRROR ?? path.resolve(REPO, "..", "shared", "charts");
  if (!fs.existsSync(path.join(dir, "cilium", "Chart.yaml"))) {
    throw new Error(
      `the upstream chart mirror is not at ${dir} (expected ${dir}/<chartKey>/Chart.yaml); ` +
        "set NETPLAT_CHART_MIRROR to a mirror's directory",
    );
  }
  return dir;
}

let prepared: string | undefined;

/**
 * The shared mirror prepared for offline use by `npm run charts:mirror` (remote schema
 * `$ref`s made local), once per test process, in a temp dir; throws with its output on failure.
 */
export function preparedChartMirror(): string {
  if (prepared) return prepared;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "netplat-mirror-"));
  const r = spawnSync(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "scripts/charts-mirror.ts",
      "--out",
      out,
      "--from",
      sharedChartMirror(),
    ],
    { cwd: REPO, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`charts:mirror failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  prepared = out;
  return out;
}

/** The Helm CLI: $HELM, else .toolchain/bin/helm; throws saying how to build it. */
export function helmBinary(): string {
  const bin = process.env.HELM ?? path.join(REPO, ".toolchain", "bin", "helm");
  if (!fs.existsSync(bin)) {
    throw new Error(`the Helm CLI is not built (${bin} missing); build it with: bash scripts/helm.sh`);
  }
  return bin;
}

export interface TemplateOptions {
  release: string;
  namespace: string;
  values: Record<string, unknown>;
  /**
   * Print the chart's Helm hooks too. Off by default: the provider's v4 Chart never creates
   * them, so a test judging what the program deploys must not see them.
   */
  hooks?: boolean;
}

/** `helm template` of a local chart directory; throws with Helm's error output. */
export function helmTemplate(chartDir: string, o: TemplateOptions): K8sObject[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "helm-values-"));
  try {
    const valuesFile = path.join(tmp, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(o.values));
    const args = [
      "template",
      o.release,
      chartDir,
      "--namespace",
      o.namespace,
      "--values",
      valuesFile,
      "--kube-version",
      KUBE_VERSION,
      "--include-crds",
      // What the provider's v4 Chart creates: it never runs Helm hooks (lib/chart-hooks.ts).
      ...(o.hooks ? [] : ["--no-hooks"]),
      ...API_VERSIONS.flatMap((v) => ["--api-versions", v]),
    ];
    const r = spawnSync(helmBinary(), args, {
      encoding: "utf8",
      maxBuffer: 512 * 2 ** 20,
      env: { ...process.env, HELM_CACHE_HOME: tmp, HELM_CONFIG_HOME: tmp, HELM_DATA_HOME: tmp },
    });
    if (r.status !== 0) {
      throw new Error(`helm template ${o.release} ${chartDir} failed: ${r.stderr}${r.error ?? ""}`);
    }
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as K8sObject | null)
      .filter((o): o is K8sObject => !!o && typeof o === "object" && typeof o.kind === "string");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A chart as read from disk, with its subcharts under the name (or alias) its parent uses. */
export interface ChartTree {
  dir: string;
  name: string;
  version: string;
  values: unknown;
  schema: unknown;
  templates: string;
  subcharts: Map<string, ChartTree>;
}

function readTemplates(dir: string): string {
  const t = path.join(dir, "templates");
  if (!fs.existsSync(t)) return "";
  return (fs.readdirSync(t, { recursive: true }) as string[])
    .map((f) => path.join(t, f))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => fs.readFileSync(f, "utf8"))
    .join("\n");
}

export function readChartTree(dir: string): ChartTree {
  const meta = parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as {
    name: string;
    version: string;
    dependencies?: Array<{ name: string; alias?: string }>;
  };
  const read = (f: string, how: (s: string) => unknown) =>
    fs.existsSync(path.join(dir, f)) ? how(fs.readFileSync(path.join(dir, f), "utf8")) : undefined;
  const subcharts = new Map<string, ChartTree>();
  const charts = path.join(dir, "charts");
  if (fs.existsSync(charts)) {
    for (const d of fs.readdirSync(charts)) {
      if (!fs.existsSync(path.join(charts, d, "Chart.yaml"))) continue;
      const sub = readChartTree(path.join(charts, d));
      const aliases = (meta.dependencies ?? []).filter((x) => x.name === sub.name).map((x) => x.alias);
      for (const a of aliases.length > 0 ? aliases : [undefined]) subcharts.set(a ?? sub.name, sub);
    }
  }
  return {
    dir,
    name: meta.name,
    version: meta.version,
    values: read("values.yaml", (s) => parse(s)),
    schema: read("values.schema.json", (s) => JSON.parse(s)),
    templates: readTemplates(dir),
    subcharts,
  };
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether values.yaml has the path; an empty map on the way is a free-form map (any key below it). */
function inValuesYaml(v: unknown, keys: string[]): boolean {
  let node = v;
  for (const k of keys) {
    if (!isMap(node)) return false;
    if (k in node) node = node[k];
    else return Object.keys(node).length === 0;
  }
  return true;
}

/** Whether the JSON schema admits the path as a declared property (or a free-form map on the way). */
export function inSchema(schema: unknown, keys: string[], root: unknown = schema): boolean {
  if (!isMap(schema)) return false;
  if (typeof schema.$ref === "string" && schema.$ref.startsWith("#/")) {
    const target = schema.$ref
      .slice(2)
      .split("/")
      .reduce<unknown>((n, k) => (isMap(n) ? n[k] : undefined), root);
    return inSchema(target, keys, root);
  }
  for (const combo of ["allOf", "anyOf", "oneOf"]) {
    const branches = schema[combo];
    if (Array.isArray(branches) && branches.some((b) => inSchema(b, keys, root))) return true;
  }
  if (keys.length === 0) return true;
  const [k, ...rest] = keys;
  const props = schema.properties;
  if (isMap(props) && k in props) return inSchema(props[k], rest, root);
  // A map whose keys the schema leaves open (additionalProperties) takes any key below it.
  const extra = schema.additionalProperties;
  return extra === true || isMap(extra);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether a values path (`controller.service.type`) means something to the chart: it is in
 * values.yaml or values.schema.json, or a template reads `.Values.<path>`; a path under a
 * subchart's name is looked up in that subchart, and `global.*` in any chart of the tree.
 */
export function valuesPathKnown(tree: ChartTree, keys: string[]): boolean {
  if (inValuesYaml(tree.values, keys) || inSchema(tree.schema, keys)) return true;
  // Istio's charts keep their defaults under this key and merge them over .Values in a template.
  if (isMap(tree.values) && inValuesYaml(tree.values._internal_defaults_do_not_set, keys)) return true;
  const dotted = keys.join(".");
  if (new RegExp(`\\.Values\\.${escapeRegExp(dotted)}(?![\\w-])`).test(tree.templates)) return true;
  if (readThroughVariable(tree.templates, keys)) return true;
  if (passedWhole(tree.templates, keys)) return true;
  const sub = tree.subcharts.get(keys[0]);
  if (sub && valuesPathKnown(sub, keys.slice(1))) return true;
  if (keys[0] === "global") return [...tree.subcharts.values()].some((s) => valuesPathKnown(s, keys));
  return false;
}

/**
 * A template that binds part of .Values to a variable (`$socketLB := (coalesce .Values.socketLB ...)`)
 * and reads a key of it (`$socketLB.hostNamespaceOnly`, `hasKey $socketLB "hostNamespaceOnly"`).
 */
function readThroughVariable(templates: string, keys: string[]): boolean {
  for (const m of templates.matchAll(/\$(\w+)\s*:?=\s*\(?\s*\w*\s*\.Values\.([\w.]+)/g)) {
    const [, variable, bound] = m;
    const prefix = bound.split(".");
    if (prefix.length >= keys.length || prefix.some((p, i) => p !== keys[i])) continue;
    const rest = keys.slice(prefix.length);
    const v = escapeRegExp(variable);
    if (new RegExp(`\\$${v}\\.${escapeRegExp(rest.join("."))}(?![\\w-])`).test(templates)) return true;
    if (rest.length === 1 && new RegExp(`hasKey \\$${v} "${escapeRegExp(rest[0])}"`).test(templates))
      return true;
  }
  return false;
}

/**
 * A template that writes a values subtree out whole (`toYaml .Values.resources`, or
 * `with .Values.x.resources` then `toYaml .`) hands any key below it to Kubernetes as is.
 */
function passedWhole(templates: string, keys: string[]): boolean {
  for (let n = keys.length - 1; n >= 1; n--) {
    const prefix = escapeRegExp(keys.slice(0, n).join("."));
    const direct = new RegExp(
      `(?:toYaml|toJson|toPrettyJson)\\s+\\(?\\s*\\$?\\.Values\\.${prefix}(?![\\w.-])`,
    );
    const piped = new RegExp(`\\$?\\.Values\\.${prefix}\\s*\\|\\s*(?:toYaml|toJson)`);
    const within = new RegExp(
      `with\\s+\\$?\\.Values\\.${prefix}\\s*-?\\}\\}[^{]*(?:\\{\\{[^}]*\\}\\}[^{]*){0,2}\\{\\{-?\\s*toYaml\\s+\\.\\s`,
    );
    if (direct.test(templates) || piped.test(templates) || within.test(templates)) return true;
  }
  return false;
}

/** Leaf paths of a values object; a list or an empty map is a leaf. */
export function valuesPaths(values: unknown, at: string[] = []): string[][] {
  // An unknown value during a preview (a secret read from the cluster) is a leaf too.
  const leaf = !isMap(values) || Object.keys(values).length === 0 || "__pulumiUnknown" in values;
  if (leaf) return at.length > 0 ? [at] : [];
  return Object.entries(values).flatMap(([k, v]) => valuesPaths(v, [...at, k]));
}
