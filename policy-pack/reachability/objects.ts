/**
 * Reads plain Kubernetes manifests (parsed YAML/JSON) into the analyser's model:
 * namespaces, workloads (pods grouped by owner) and checked NetworkPolicies.
 * Bad input throws an InputError naming the object and the field.
 */
import { InputError } from "../manifests/errors";
import { ConnSet, type Interval, type L4Protocol, MAX_PORT, MIN_PORT, PROTOCOLS } from "./conns";
import { parseCidr, subtractRanges } from "./ipv4";
import { compileSelector, type Labels, type Selector } from "./selectors";

export const NS_NAME_LABEL = "kubernetes.io/metadata.name";

export const WORKLOAD_KINDS = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
  "CronJob",
] as const;

export interface WorkloadPort {
  name?: string;
  port: number;
  protocol: L4Protocol;
}

export interface Workload {
  /** `namespace/name[Kind]`, the owner of the pods. */
  id: string;
  namespace: string;
  name: string;
  kind: string;
  labels: Labels;
  ports: WorkloadPort[];
  /** True for a pod the caller made up (intent peers without a manifest). */
  synthetic?: boolean;
}

export type RulePeer =
  | {
      kind: "pods";
      /** Absent: the policy's own namespace. */
      namespaceSelector?: Selector;
      /** Absent: every pod of the selected namespaces. */
      podSelector?: Selector;
      text: string;
    }
  | { kind: "ipBlock"; ranges: Interval[]; text: string };

export interface RulePort {
  protocol: L4Protocol;
  /** Absent: all ports of the protocol. */
  port?: number | string;
  endPort?: number;
}

export interface Rule {
  policy: Policy;
  direction: "ingress" | "egress";
  index: number;
  /** `undefined`: the rule has no from/to (or an empty list), so it matches every peer. */
  peers?: RulePeer[];
  /** `undefined`: no ports (or an empty list), so every port. */
  ports?: RulePort[];
  /** Numbered ports of the rule; named ports are kept apart in `namedPorts`. */
  numeric: ConnSet;
  namedPorts: { protocol: L4Protocol; name: string }[];
  /** e.g. `shop/orders-ingress ingress[0]`. */
  label: string;
}

export interface Policy {
  namespace: string;
  name: string;
  /** `namespace/name`. */
  id: string;
  podSelector: Selector;
  isolatesIngress: boolean;
  isolatesEgress: boolean;
  ingress: Rule[];
  egress: Rule[];
}

export interface Model {
  /** Namespace name -> labels, including `kubernetes.io/metadata.name`. */
  namespaces: Map<string, Labels>;
  workloads: Workload[];
  policies: Policy[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function strMap(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new InputError(`${where}: must be a map of strings`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string")
      throw new InputError(`${where}.${k}: must be a string, got ${JSON.stringify(x)}`);
  }
  return v as Record<string, string>;
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InputError(`${where}: must be a list`);
  return v;
}

function objName(o: Record<string, unknown>): {
  kind: string;
  name: string;
  namespace: string;
  what: string;
} {
  const kind = String(o.kind);
  const meta = isObj(o.metadata) ? o.metadata : {};
  if (typeof meta.name !== "string" || meta.name === "")
    throw new InputError(`${kind} without metadata.name`);
  const ns = meta.namespace === undefined || meta.namespace === null ? "default" : meta.namespace;
  if (typeof ns !== "string" || ns === "")
    throw new InputError(`${kind} ${meta.name}: metadata.namespace must be a string`);
  return { kind, name: meta.name, namespace: ns, what: `${kind} ${ns}/${meta.name}` };
}

/** Flattens `List` kinds (v1 List, and `*List` kinds with items). */
export function flattenObjects(objects: readonly unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (o: unknown): void => {
    if (o === null || o === undefined) return;
    if (!isObj(o))
      throw new InputError(`expected a Kubernetes object, got ${JSON.stringify(o).slice(0, 80)}`);
    if (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items)) {
      o.items.forEach(visit);
      return;
    }
    out.push(o);
  };
  objects.forEach(visit);
  return out;
}

function protocolOf(v: unknown, where: string): L4Protocol {
  if (v === undefined || v === null || v === "") return "TCP";
  if (typeof v !== "string" || !(PROTOCOLS as readonly string[]).includes(v)) {
    throw new InputError(`${where}: protocol must be one of TCP, UDP, SCTP, got ${JSON.stringify(v)}`);
  }
  return v as L4Protocol;
}

function podTemplate(o: Record<string, unknown>, kind: string, what: string): Record<string, unknown> {
  const spec = isObj(o.spec) ? o.spec : undefined;
  if (kind === "Pod") return o;
  const path = kind === "CronJob" ? "spec.jobTemplate.spec.template" : "spec.template";
  const tpl =
    kind === "CronJob"
      ? isObj(spec?.jobTemplate) && isObj(spec.jobTemplate.spec)
        ? spec.jobTemplate.spec.template
        : undefined
      : spec?.template;
  if (!isObj(tpl)) throw new InputError(`${what}: ${path} is missing`);
  return tpl;
}

function containerPorts(podLike: Record<string, unknown>, what: string, prefix: string): WorkloadPort[] {
  const spec = isObj(podLike.spec) ? podLike.spec : {};
  const out: WorkloadPort[] = [];
  list(spec.containers, `${what}: ${prefix}spec.containers`).forEach((c, ci) => {
    if (!isObj(c)) return;
    list(c.ports, `${what}: ${prefix}spec.containers[${ci}].ports`).forEach((p, pi) => {
      const at = `${what}: ${prefix}spec.containers[${ci}].ports[${pi}]`;
      if (!isObj(p)) throw new InputError(`${at}: must be an object`);
      if (!Number.isInteger(p.containerPort)) throw new InputError(`${at}.containerPort: must be an integer`);
      out.push({
        name: typeof p.name === "string" && p.name !== "" ? p.name : undefined,
        port: p.containerPort as number,
        protocol: protocolOf(p.protocol, `${at}.protocol`),
      });
    });
  });
  return out;
}

function parseWorkload(o: Record<string, unknown>): Workload {
  const { kind, name, namespace, what } = objName(o);
  const tpl = podTemplate(o, kind, what);
  const prefix =
    kind === "Pod" ? "" : kind === "CronJob" ? "spec.jobTemplate.spec.template." : "spec.template.";
  const meta = isObj(tpl.metadata) ? tpl.metadata : {};
  const labels = strMap(meta.labels, `${what}: ${prefix}metadata.labels`);
  const ports = containerPorts(tpl, what, prefix);
  let ownerName = name;
  let ownerKind = kind;
  if (kind === "Pod") {
    const refs = list(meta.ownerReferences, `${what}: metadata.ownerReferences`);
    const ctl = refs.find((r) => isObj(r) && r.controller === true) as Record<string, unknown> | undefined;
    if (ctl && ctl.kind !== "Node") {
      if (typeof ctl.name !== "string" || typeof ctl.kind !== "string") {
        throw new InputError(
          `${what}: metadata.ownerReferences: the controller reference needs kind and name`,
        );
      }
      ownerName = ctl.name;
      ownerKind = ctl.kind;
    }
  }
  return {
    id: `${namespace}/${ownerName}[${ownerKind}]`,
    namespace,
    name: ownerName,
    kind: ownerKind,
    labels,
    ports,
  };
}

function parsePort(raw: unknown, where: string): RulePort {
  if (!isObj(raw)) throw new InputError(`${where}: must be an object`);
  const protocol = protocolOf(raw.protocol, `${where}.protocol`);
  const port = raw.port;
  const endPort = raw.endPort;
  if (port === undefined || port === null) {
    if (endPort !== undefined && endPort !== null)
      throw new InputError(`${where}.endPort: endPort needs port`);
    return { protocol };
  }
  if (typeof port === "string" && !/^\d+$/.test(port)) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port) || port.length > 15) {
      throw new InputError(`${where}.port: "${port}" is not a valid port name`);
    }
    if (endPort !== undefined && endPort !== null) {
      throw new InputError(`${where}.endPort: endPort cannot be used with the named port "${port}"`);
    }
    return { protocol, port };
  }
  const n = typeof port === "string" ? Number(port) : port;
  if (!Number.isInteger(n) || (n as number) < MIN_PORT || (n as number) > MAX_PORT) {
    throw new InputError(
      `${where}.port: must be a port number 1-65535 or a port name, got ${JSON.stringify(port)}`,
    );
  }
  if (endPort === undefined || endPort === null) return { protocol, port: n as number };
  if (!Number.isInteger(endPort) || (endPort as number) < (n as number) || (endPort as number) > MAX_PORT) {
    throw new InputError(
      `${where}.endPort: must be an integer from port (${n}) to 65535, got ${JSON.stringify(endPort)}`,
    );
  }
  return { protocol, port: n as number, endPort: endPort as number };
}

function parsePeer(raw: unknown, where: string): RulePeer {
  if (!isObj(raw)) throw new InputError(`${where}: must be an object`);
  for (const k of Object.keys(raw)) {
    if (k !== "podSelector" && k !== "namespaceSelector" && k !== "ipBlock") {
      throw new InputError(`${where}: unknown field "${k}"`);
    }
  }
  const has = (k: string): boolean => raw[k] !== undefined && raw[k] !== null;
  if (has("ipBlock")) {
    if (has("podSelector") || has("namespaceSelector")) {
      throw new InputError(
        `${where}: ipBlock cannot be combined with podSelector or namespaceSelector in one peer`,
      );
    }
    const ib = raw.ipBlock;
    if (!isObj(ib)) throw new InputError(`${where}.ipBlock: must be an object`);
    let base: Interval;
    try {
      base = parseCidr(ib.cidr as string);
    } catch (e) {
      throw new InputError(`${where}.ipBlock.cidr: ${(e as Error).message}`);
    }
    const except = list(ib.except, `${where}.ipBlock.except`).map((c, i) => {
      let r: Interval;
      try {
        r = parseCidr(c as string);
      } catch (e) {
        throw new InputError(`${where}.ipBlock.except[${i}]: ${(e as Error).message}`);
      }
      if (r[0] < base[0] || r[1] > base[1]) {
        throw new InputError(
          `${where}.ipBlock.except[${i}]: ${String(c)} is not within cidr ${String(ib.cidr)}`,
        );
      }
      return r;
    });
    const exceptText = except.length ? ` except ${list(ib.except, "").join(",")}` : "";
    return {
      kind: "ipBlock",
      ranges: subtractRanges(base, except),
      text: `ipBlock ${String(ib.cidr)}${exceptText}`,
    };
  }
  if (!has("podSelector") && !has("namespaceSelector")) {
    throw new InputError(`${where}: a peer needs podSelector, namespaceSelector or ipBlock`);
  }
  const podSelector = has("podSelector")
    ? compileSelector(raw.podSelector, `${where}.podSelector`)
    : undefined;
  const namespaceSelector = has("namespaceSelector")
    ? compileSelector(raw.namespaceSelector, `${where}.namespaceSelector`)
    : undefined;
  const text = [
    namespaceSelector ? `namespaces ${namespaceSelector.text}` : "",
    podSelector ? `pods ${podSelector.text}` : "all pods",
  ]
    .filter(Boolean)
    .join(" / ");
  return { kind: "pods", namespaceSelector, podSelector, text };
}

function parsePolicy(o: Record<string, unknown>): Policy {
  const { name, namespace, what } = objName(o);
  if (o.apiVersion !== "networking.k8s.io/v1") {
    throw new InputError(
      `${what}: apiVersion must be networking.k8s.io/v1, got ${JSON.stringify(o.apiVersion)}`,
    );
  }
  const spec = o.spec;
  if (!isObj(spec)) throw new InputError(`${what}: spec is missing`);
  if (spec.podSelector === undefined || spec.podSelector === null) {
    throw new InputError(`${what}: spec.podSelector is required ({} selects every pod of the namespace)`);
  }
  const policy: Policy = {
    namespace,
    name,
    id: `${namespace}/${name}`,
    podSelector: compileSelector(spec.podSelector, `${what}: spec.podSelector`),
    isolatesIngress: false,
    isolatesEgress: false,
    ingress: [],
    egress: [],
  };
  const types = list(spec.policyTypes, `${what}: spec.policyTypes`);
  types.forEach((t, i) => {
    if (t !== "Ingress" && t !== "Egress") {
      throw new InputError(
        `${what}: spec.policyTypes[${i}]: must be Ingress or Egress, got ${JSON.stringify(t)}`,
      );
    }
  });
  for (const direction of ["ingress", "egress"] as const) {
    const peersKey = direction === "ingress" ? "from" : "to";
    list(spec[direction], `${what}: spec.${direction}`).forEach((r, index) => {
      const at = `${what}: spec.${direction}[${index}]`;
      if (r === null) r = {};
      if (!isObj(r)) throw new InputError(`${at}: must be an object`);
      const rawPeers = list(r[peersKey], `${at}.${peersKey}`);
      const rawPorts = list(r.ports, `${at}.ports`);
      const peers = rawPeers.length
        ? rawPeers.map((p, i) => parsePeer(p, `${at}.${peersKey}[${i}]`))
        : undefined;
      const ports = rawPorts.length ? rawPorts.map((p, i) => parsePort(p, `${at}.ports[${i}]`)) : undefined;
      let numeric = ports ? ConnSet.NONE : ConnSet.ALL;
      const namedPorts: Rule["namedPorts"] = [];
      for (const p of ports ?? []) {
        if (p.port === undefined) numeric = numeric.union(ConnSet.allPorts(p.protocol));
        else if (typeof p.port === "string") namedPorts.push({ protocol: p.protocol, name: p.port });
        else numeric = numeric.union(ConnSet.ports(p.protocol, p.port, p.endPort ?? p.port));
      }
      policy[direction].push({
        policy,
        direction,
        index,
        peers,
        ports,
        numeric,
        namedPorts,
        label: `${policy.id} ${direction}[${index}]`,
      });
    });
  }
  policy.isolatesIngress = types.length ? types.includes("Ingress") : true;
  policy.isolatesEgress = types.length ? types.includes("Egress") : policy.egress.length > 0;
  return policy;
}

/** Builds the model from plain manifests; other kinds (Service, ConfigMap, ...) are ignored. */
export function readObjects(objects: readonly unknown[]): Model {
  const namespaces = new Map<string, Labels>();
  const byOwner = new Map<string, Workload>();
  const policies: Policy[] = [];
  const seen = new Set<string>();
  for (const o of flattenObjects(objects)) {
    const kind = o.kind;
    if (kind === "Namespace") {
      const meta = isObj(o.metadata) ? o.metadata : {};
      if (typeof meta.name !== "string" || meta.name === "")
        throw new InputError("Namespace without metadata.name");
      const labels = strMap(meta.labels, `Namespace ${meta.name}: metadata.labels`);
      if (namespaces.has(meta.name)) throw new InputError(`Namespace ${meta.name}: declared twice`);
      // The API server sets this label to the name on every namespace, overriding any other value.
      namespaces.set(meta.name, { ...labels, [NS_NAME_LABEL]: meta.name });
    } else if (kind === "NetworkPolicy") {
      const p = parsePolicy(o);
      if (seen.has(`NetworkPolicy ${p.id}`)) throw new InputError(`NetworkPolicy ${p.id}: declared twice`);
      seen.add(`NetworkPolicy ${p.id}`);
      policies.push(p);
    } else if ((WORKLOAD_KINDS as readonly unknown[]).includes(kind)) {
      const { what } = objName(o);
      if (seen.has(what)) throw new InputError(`${what}: declared twice`);
      seen.add(what);
      const w = parseWorkload(o);
      const prev = byOwner.get(w.id);
      if (!prev) {
        byOwner.set(w.id, w);
        continue;
      }
      // Several pods of one owner: they must look alike to be one peer.
      const a = JSON.stringify(Object.entries(prev.labels).sort());
      const b = JSON.stringify(Object.entries(w.labels).sort());
      if (a !== b) {
        throw new InputError(
          `${what}: its labels differ from another pod of the same owner ${w.id}; cannot aggregate`,
        );
      }
      for (const p of w.ports) {
        if (!prev.ports.some((q) => q.name === p.name && q.port === p.port && q.protocol === p.protocol)) {
          prev.ports.push(p);
        }
      }
    }
  }
  const workloads = [...byOwner.values()];
  for (const w of workloads) {
    if (!namespaces.has(w.namespace)) namespaces.set(w.namespace, { [NS_NAME_LABEL]: w.namespace });
  }
  return { namespaces, workloads, policies };
}
