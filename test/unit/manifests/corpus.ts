/**
 * A generated corpus of input the API server would refuse or that is hostile: each case
 * is a mutation of an object of the secure fixture (test/fixtures/secure), or a file
 * built to exhaust a reader. Every CLI that reads manifests must refuse each one with
 * exit 2 and a one-line reason naming the file, the object and the field.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, stringify } from "yaml";
import { MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES } from "../../../policy-pack/manifests";

export const SECURE = path.join(__dirname, "..", "..", "fixtures", "secure");

type Obj = Record<string, unknown>;

export interface BadCase {
  /** The class of bad input (the issue's list). */
  kind:
    | "wrong type"
    | "unknown field"
    | "invalid CIDR"
    | "port out of range"
    | "unknown operator"
    | "missing required field"
    | "YAML 1.1 boolean"
    | "unknown kind"
    | "hostile YAML"
    | "hostile file"
    | "no object";
  name: string;
  /** Writes the case under `dir` (an empty folder) and returns the path to give the CLIs. */
  setup(dir: string): string;
  /** What the one-line reason must say, beyond the file (checked separately when `file` is set). */
  expect: RegExp;
  /** The reason must name this file (relative to `dir`). */
  file?: string;
}

function secureObjects(): Obj[] {
  return fs
    .readdirSync(SECURE)
    .sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(SECURE, f), "utf8")))
    .map((d) => d.toJS() as Obj)
    .filter((o) => o !== null);
}

/** A deep copy of the secure fixture's object `kind` `name`. */
function base(kind: string, name: string): Obj {
  const o = secureObjects().find(
    (x) => x.kind === kind && (x.metadata as { name?: string } | undefined)?.name === name,
  );
  if (!o) throw new Error(`secure fixture has no ${kind} ${name}`);
  return structuredClone(o);
}

/** Sets (or, with `undefined`, deletes) the value at a dotted path like `spec.ports[0].port`. */
function setPath(o: Obj, dotted: string, value: unknown): void {
  const keys = dotted.split(/\.|(?=\[)/).map((k) => (k.startsWith("[") ? Number(k.slice(1, -1)) : k));
  let cur: Record<string | number, unknown> = o;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = typeof k === "number" ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A case: object `kind`/`name` of the secure fixture with `field` set to `value`
 * (`undefined` deletes it), written as YAML. The reason must name the object and `reported`
 * (default: `field`).
 */
function mutation(
  kind: BadCase["kind"],
  object: [string, string],
  field: string,
  value: unknown,
  opts: {
    reported?: string | null;
    also?: RegExp;
    object?: string;
  } = {},
): BadCase {
  const o = base(object[0], object[1]);
  setPath(o, field, value);
  const reported = opts.reported === undefined ? field : opts.reported;
  const meta = o.metadata as { namespace?: unknown; name?: unknown };
  const ns = typeof meta.namespace === "string" ? `${meta.namespace}/` : "";
  const objectText = opts.object ?? `${String(o.kind)} ${ns}${String(meta.name ?? "(unnamed)")}`;
  return {
    kind,
    name: `${object[0]} ${object[1]}: ${field} = ${JSON.stringify(value) ?? "(deleted)"}`,
    setup: (dir) => {
      const file = path.join(dir, "object.yaml");
      const text = stringify(o);
      // yaml writes strings like "no" or "on" unquoted (YAML 1.2 plain scalars): the trap itself.
      fs.writeFileSync(file, text);
      return file;
    },
    file: "object.yaml",
    expect: new RegExp(
      `${esc(objectText)}: ${reported === null ? "" : `${esc(reported)}: `}.*${opts.also?.source ?? ""}`,
    ),
  };
}

const NP: [string, string] = ["NetworkPolicy", "frontend"];
const DEPLOY: [string, string] = ["Deployment", "frontend"];
const SVC: [string, string] = ["Service", "frontend"];
const NS: [string, string] = ["Namespace", "shop"];
const CM: [string, string] = ["ConfigMap", "netplat-platform"];
const EGRESS_PEER = "spec.egress[0].to[0]";
const INGRESS_PORT = "spec.ingress[0].ports[0]";
const CPORT = "spec.template.spec.containers[0].ports[0]";

function ipBlock(cidr: unknown, except?: unknown[]): unknown {
  return { ipBlock: except ? { cidr, except } : { cidr } };
}

function raw(kind: BadCase["kind"], name: string, text: string | Buffer, expect: RegExp): BadCase {
  return {
    kind,
    name,
    setup: (dir) => {
      const file = path.join(dir, "input.yaml");
      fs.writeFileSync(file, text);
      return file;
    },
    file: "input.yaml",
    expect,
  };
}

function aliasBomb(): string {
  const lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb, namespace: shop}", "x:"];
  lines.push('  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]');
  for (let i = 1; i < 9; i++)
    lines.push(
      `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return lines.join("\n") + "\n";
}

export function badCorpus(): BadCase[] {
  return [
    // Wrong types.
    mutation("wrong type", NP, "spec.podSelector.matchLabels.app", 1, { also: /must be string/ }),
    mutation("wrong type", NP, `${EGRESS_PEER}.podSelector.matchLabels.app`, true),
    mutation("wrong type", DEPLOY, "spec.replicas", "two", { also: /must be integer/ }),
    mutation("wrong type", DEPLOY, "metadata.labels.app", ["frontend"]),
    mutation("wrong type", SVC, "spec.ports[0].port", "eighty"),
    mutation(
      "wrong type",
      DEPLOY,
      "spec.template.spec.containers",
      { name: "frontend" },
      { also: /must be array/ },
    ),
    mutation("wrong type", NP, "spec.policyTypes[0]", "Inbound", {
      also: /must be one of "Egress", "Ingress"/,
    }),
    mutation(
      "unknown field",
      NP,
      `${EGRESS_PEER}.podSelecter`,
      { matchLabels: { app: "x" } },
      {
        also: /unknown field; accepted: podSelector, namespaceSelector, ipBlock/,
      },
    ),
    mutation("missing required field", NP, EGRESS_PEER, {}, { also: /must specify a peer/ }),
    // Invalid CIDRs (ipBlock as the API server checks it).
    mutation("invalid CIDR", NP, EGRESS_PEER, ipBlock("10.0.0.0/33"), {
      reported: `${EGRESS_PEER}.ipBlock.cidr`,
    }),
    mutation("invalid CIDR", NP, EGRESS_PEER, ipBlock("300.1.2.3/8"), {
      reported: `${EGRESS_PEER}.ipBlock.cidr`,
    }),
    mutation("invalid CIDR", NP, EGRESS_PEER, ipBlock("10.0.0.0"), {
      reported: `${EGRESS_PEER}.ipBlock.cidr`,
    }),
    mutation("invalid CIDR", NP, EGRESS_PEER, ipBlock("10.0.0.0/8", ["192.168.0.0/16"]), {
      reported: `${EGRESS_PEER}.ipBlock.except[0]`,
      also: /must be a strict subset of cidr/,
    }),
    mutation("invalid CIDR", NP, EGRESS_PEER, ipBlock("10.0.0.0/8", ["10.1.0.0/33"]), {
      reported: `${EGRESS_PEER}.ipBlock.except[0]`,
    }),
    // Ports out of range, protocols the API server does not know.
    mutation("port out of range", NP, `${INGRESS_PORT}.port`, 0, { also: /1-65535/ }),
    mutation("port out of range", NP, `${INGRESS_PORT}.port`, 70000, { also: /1-65535/ }),
    mutation("port out of range", NP, `${INGRESS_PORT}.endPort`, 80, { also: /from port \(8080\)/ }),
    mutation(
      "port out of range",
      NP,
      INGRESS_PORT,
      { port: "http", endPort: 8090, protocol: "TCP" },
      {
        reported: `${INGRESS_PORT}.endPort`,
        also: /endPort needs a numeric port/,
      },
    ),
    mutation("port out of range", NP, `${INGRESS_PORT}.protocol`, "ICMP", { also: /"SCTP", "TCP", "UDP"/ }),
    mutation("port out of range", DEPLOY, `${CPORT}.containerPort`, 65536),
    mutation("port out of range", SVC, "spec.ports[0].port", -1),
    mutation("port out of range", SVC, "spec.ports[0].targetPort", "http_port", { also: /not a port name/ }),
    // Label selector operators and their values.
    mutation(
      "unknown operator",
      NP,
      "spec.podSelector.matchExpressions",
      [{ key: "app", operator: "Equals", values: ["frontend"] }],
      { reported: "spec.podSelector.matchExpressions[0].operator", also: /In, NotIn, Exists, DoesNotExist/ },
    ),
    mutation(
      "unknown operator",
      DEPLOY,
      "spec.selector.matchExpressions",
      [{ key: "app", operator: "in", values: ["frontend"] }],
      { reported: "spec.selector.matchExpressions[0].operator" },
    ),
    mutation("unknown operator", NP, "spec.podSelector.matchExpressions", [{ key: "app", operator: "In" }], {
      reported: "spec.podSelector.matchExpressions[0].values",
      also: /needs at least one value/,
    }),
    // Missing required fields.
    mutation("missing required field", DEPLOY, "spec.selector", undefined, { also: /is required/ }),
    mutation("missing required field", DEPLOY, "spec.template.spec.containers", undefined),
    mutation("missing required field", SVC, "spec.ports[0].port", undefined),
    mutation(
      "missing required field",
      NP,
      EGRESS_PEER,
      { ipBlock: { except: ["10.0.0.0/16"] } },
      {
        reported: `${EGRESS_PEER}.ipBlock.cidr`,
      },
    ),
    {
      ...raw(
        "missing required field",
        "metadata.name missing",
        "apiVersion: v1\nkind: Service\nmetadata: {namespace: shop}\n",
        /Service shop\/\(unnamed\): metadata\.name: must be a non-empty string/,
      ),
    },
    // Unquoted YAML 1.1 booleans: strings to YAML 1.2, booleans to kubectl and the API server.
    mutation("YAML 1.1 boolean", NP, "metadata.namespace", "y", {
      object: "NetworkPolicy frontend",
      also: /must be string .*quote it: "y"/,
    }),
    mutation("YAML 1.1 boolean", DEPLOY, "metadata.labels.canary", "on", {
      also: /must be string .*quote it: "on"/,
    }),
    mutation("YAML 1.1 boolean", CM, "data.enabled", "no", { also: /must be string .*quote it: "no"/ }),
    mutation("YAML 1.1 boolean", NP, "spec.podSelector.matchLabels.app", "Off", { also: /quote it: "Off"/ }),
    mutation("YAML 1.1 boolean", NS, "metadata.labels.istio-injection", "YES", { also: /quote it: "YES"/ }),
    // Kinds and versions the API server does not serve.
    mutation("unknown kind", NP, "apiVersion", "networking.k8s.io/v2", {
      reported: null,
      also: /does not serve kind NetworkPolicy; accepted apiVersions for NetworkPolicy: networking\.k8s\.io\/v1/,
    }),
    mutation("unknown kind", SVC, "kind", "service", {
      reported: null,
      also: /v1 does not serve kind service; .*kinds are case-sensitive/,
    }),
    mutation("unknown kind", ["Ingress", "shop"], "apiVersion", "extensions/v1beta1", {
      reported: null,
      also: /extensions\/v1beta1 Ingress is no longer served \(removed in Kubernetes 1\.22\); use networking\.k8s\.io\/v1/,
    }),
    mutation("unknown kind", ["PodDisruptionBudget", "frontend"], "apiVersion", "policy/v1beta1", {
      reported: null,
      also: /use policy\/v1/,
    }),
    // Hostile YAML.
    raw(
      "hostile YAML",
      "alias bomb (billion laughs)",
      aliasBomb(),
      new RegExp(`more than ${MAX_ALIASES} YAML alias`),
    ),
    raw(
      "hostile YAML",
      "flow nesting 5000 deep",
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
      /document 1: nested too deeply to read|nested deeper than/,
    ),
    raw(
      "hostile YAML",
      `block nesting deeper than ${MAX_DEPTH}`,
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx:\n" +
        Array.from({ length: MAX_DEPTH + 5 }, (_, i) => `${" ".repeat(i + 1)}k:`).join("\n") +
        " end\n",
      new RegExp(`nested deeper than ${MAX_DEPTH} levels`),
    ),
    raw(
      "hostile YAML",
      "JSON nested 5000 deep",
      `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "x": ${"[".repeat(5000)}${"]".repeat(5000)}}`,
      new RegExp(`nested deeper than ${MAX_DEPTH} levels`),
    ),
    raw(
      "hostile YAML",
      "duplicate key",
      "apiVersion: v1\nkind: Service\nmetadata: {name: a, name: b}\n",
      /invalid YAML \(Map keys must be unique/,
    ),
    raw(
      "hostile YAML",
      "a document that is a list",
      "- apiVersion: v1\n  kind: Service\n",
      /not a Kubernetes object/,
    ),
    raw("hostile YAML", "a document that is a scalar", "just text\n", /not a Kubernetes object/),
    // Hostile files.
    raw(
      "hostile file",
      "binary data (NUL bytes)",
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0]),
      /binary data/,
    ),
    raw(
      "hostile file",
      "binary data (not UTF-8)",
      Buffer.from("kind: \xff\xfe\n", "latin1"),
      /not valid UTF-8/,
    ),
    {
      kind: "hostile file",
      name: `a file over ${MAX_FILE_BYTES / 1024 / 1024} MiB`,
      setup: (dir) => {
        const file = path.join(dir, "huge.yaml");
        fs.writeFileSync(file, "apiVersion: v1\n");
        fs.truncateSync(file, MAX_FILE_BYTES + 1); // sparse: cheap to make
        return file;
      },
      file: "huge.yaml",
      expect: /larger than the \d+ MiB limit/,
    },
    {
      kind: "hostile file",
      name: "a folder that links back to itself",
      setup: (dir) => {
        fs.mkdirSync(path.join(dir, "m"));
        fs.copyFileSync(path.join(SECURE, "shop.yaml"), path.join(dir, "m", "shop.yaml"));
        fs.symlinkSync("..", path.join(dir, "m", "loop"));
        return path.join(dir, "m");
      },
      file: "m",
      expect: /symbolic link loop/,
    },
    {
      kind: "hostile file",
      name: "a file that is a link to itself",
      setup: (dir) => {
        fs.symlinkSync("self.yaml", path.join(dir, "self.yaml"));
        return path.join(dir, "self.yaml");
      },
      file: "self.yaml",
      expect: /cannot read \(symbolic link loop\)/,
    },
    {
      kind: "hostile file",
      name: "a device (/dev/zero: endless)",
      setup: () => "/dev/zero",
      expect: /\/dev\/zero: not a regular file/,
    },
    // No object at all: an error, never an empty success.
    raw("no object", "an empty file", "", /no Kubernetes objects found/),
    raw(
      "no object",
      "only comments and empty documents",
      "# nothing\n---\n---\n",
      /no Kubernetes objects found/,
    ),
    {
      kind: "no object",
      name: "a folder without manifests",
      setup: (dir) => {
        fs.writeFileSync(path.join(dir, "notes.txt"), "apiVersion: v1\n");
        return dir;
      },
      expect: /no Kubernetes objects found \(looked for \*\.yaml, \*\.yml, \*\.json\)/,
    },
  ];
}
