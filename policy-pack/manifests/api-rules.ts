/**
 * Checks the API server makes beyond the OpenAPI schema, for the fields this project
 * reads: label keys and values, label selectors (operators and their values), ipBlock
 * CIDRs, and port numbers and names. Each returns the problems found, with the field's
 * path and what would be accepted. References: k8s.io/apimachinery validation
 * (IsQualifiedName, IsValidLabelValue, IsValidPortNum, IsValidPortName) and
 * pkg/apis/networking/validation (ValidateIPBlock).
 */
import * as ipaddr from "ipaddr.js";
import type { SchemaProblem } from "./schema";
import { isRecord, L4_PROTOCOLS, LABEL_SELECTOR_OPERATORS } from "./types";

type Problems = SchemaProblem[];

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key prefix ${show(prefix)} must be a DNS subdomain (lower case, e.g. example.com)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    return `label key ${show(key)} must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric, with an optional DNS prefix and "/"`;
  }
  return undefined;
}

function labelValueProblem(v: unknown): string | undefined {
  if (typeof v !== "string") return `must be a string, got ${show(v)}`;
  if (v === "") return undefined;
  if (v.length > 63 || !NAME_PART.test(v)) {
    return `label value ${show(v)} must be empty or 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

export function checkLabels(labels: unknown, at: string, out: Problems): void {
  if (!isRecord(labels)) return; // the schema reports a wrong type
  for (const [k, v] of Object.entries(labels)) {
    const kp = labelKeyProblem(k);
    if (kp) out.push({ field: `${at}`, reason: kp });
    const vp = labelValueProblem(v);
    if (vp) out.push({ field: `${at}.${k}`, reason: vp });
  }
}

export function checkLabelSelector(sel: unknown, at: string, out: Problems): void {
  if (sel === null || sel === undefined) return;
  if (!isRecord(sel)) {
    out.push({
      field: at,
      reason: `must be a label selector ({matchLabels, matchExpressions}), got ${show(sel)}`,
    });
    return;
  }
  checkKnownFields(sel, ["matchLabels", "matchExpressions"], at, out);
  checkLabels(sel.matchLabels, `${at}.matchLabels`, out);
  if (!Array.isArray(sel.matchExpressions)) return;
  sel.matchExpressions.forEach((e: unknown, i: number) => {
    const here = `${at}.matchExpressions[${i}]`;
    if (!isRecord(e)) return;
    if (typeof e.key === "string") {
      const kp = labelKeyProblem(e.key);
      if (kp) out.push({ field: `${here}.key`, reason: kp });
    }
    const op = e.operator;
    if (!(LABEL_SELECTOR_OPERATORS as readonly unknown[]).includes(op)) {
      out.push({
        field: `${here}.operator`,
        reason: `unknown operator ${show(op)}; accepted: ${LABEL_SELECTOR_OPERATORS.join(", ")}`,
      });
      return;
    }
    const values = Array.isArray(e.values) ? e.values : [];
    if ((op === "In" || op === "NotIn") && values.length === 0) {
      out.push({ field: `${here}.values`, reason: `operator ${String(op)} needs at least one value` });
    }
    if ((op === "Exists" || op === "DoesNotExist") && values.length > 0) {
      out.push({ field: `${here}.values`, reason: `operator ${String(op)} takes no values` });
    }
    values.forEach((v: unknown, j: number) => {
      const vp = labelValueProblem(v);
      if (vp) out.push({ field: `${here}.values[${j}]`, reason: vp });
    });
  });
}

/** IANA_SVC_NAME: 1-15 characters of [a-z0-9-], at least one letter, no leading, trailing or double "-". */
function portNameProblem(name: string): string | undefined {
  if (
    name.length > 15 ||
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) ||
    !/[a-z]/.test(name) ||
    name.includes("--")
  ) {
    return `${show(name)} is not a port name (1-15 characters of a-z, 0-9 and "-", with a letter) nor a number 1-65535`;
  }
  return undefined;
}

function portNumberProblem(v: unknown, allowZero = false): string | undefined {
  if (!Number.isInteger(v) || (v as number) < (allowZero ? 0 : 1) || (v as number) > 65535) {
    return `must be a port number ${allowZero ? 0 : 1}-65535, got ${show(v)}`;
  }
  return undefined;
}

function checkProtocol(v: unknown, at: string, out: Problems): void {
  if (v === undefined || v === null) return;
  if (!(L4_PROTOCOLS as readonly unknown[]).includes(v)) {
    out.push({ field: at, reason: `must be one of ${L4_PROTOCOLS.join(", ")}, got ${show(v)}` });
  }
}

function checkPortOrName(v: unknown, at: string, out: Problems): void {
  if (v === undefined || v === null) return;
  const p = typeof v === "string" ? portNameProblem(v) : portNumberProblem(v);
  if (p) out.push({ field: at, reason: p });
}

function cidrProblem(v: unknown): { problem?: string; addr?: ipaddr.IPv4 | ipaddr.IPv6; bits?: number } {
  if (typeof v !== "string") return { problem: `must be a CIDR string like 10.0.0.0/8, got ${show(v)}` };
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  const bad = {
    problem: `${show(v)} is not a CIDR (accepted: a.b.c.d/n with n 0-32, or an IPv6 prefix /0-128)`,
  };
  if (!m) return bad;
  const bits = Number(m[2]);
  if (ipaddr.IPv4.isValidFourPartDecimal(m[1]) && bits <= 32) return { addr: ipaddr.IPv4.parse(m[1]), bits };
  if (!m[1].includes(".") && ipaddr.IPv6.isValid(m[1]) && bits <= 128)
    return { addr: ipaddr.IPv6.parse(m[1]), bits };
  return bad;
}

/**
 * Fields the API server does not know are refused under kubectl's default strict field
 * validation; the published schemas do not say so, so the NetworkPolicy fields the
 * analyser reads are checked here (a misspelt `podSelecter` would otherwise widen a peer).
 */
function checkKnownFields(
  o: Record<string, unknown>,
  known: readonly string[],
  at: string,
  out: Problems,
): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) {
      out.push({
        field: at === "" ? k : `${at}.${k}`,
        reason: `unknown field; accepted: ${known.join(", ")}`,
      });
    }
  }
}

function checkIpBlock(ib: unknown, at: string, out: Problems): void {
  if (!isRecord(ib)) return;
  checkKnownFields(ib, ["cidr", "except"], at, out);
  const base = cidrProblem(ib.cidr);
  if (base.problem) {
    out.push({ field: `${at}.cidr`, reason: base.problem });
    return;
  }
  if (!Array.isArray(ib.except)) return;
  ib.except.forEach((x: unknown, i: number) => {
    const e = cidrProblem(x);
    const here = `${at}.except[${i}]`;
    if (e.problem) out.push({ field: here, reason: e.problem });
    else if (
      e.addr!.kind() !== base.addr!.kind() ||
      e.bits! <= base.bits! ||
      !(e.addr as ipaddr.IPv4).match(base.addr as ipaddr.IPv4, base.bits!)
    ) {
      out.push({ field: here, reason: `${show(x)} must be a strict subset of cidr ${show(ib.cidr)}` });
    }
  });
}

function checkNetworkPolicy(o: Record<string, unknown>, out: Problems): void {
  const spec = o.spec;
  if (!isRecord(spec)) return;
  checkLabelSelector(spec.podSelector, "spec.podSelector", out);
  for (const dir of ["ingress", "egress"] as const) {
    const rules = spec[dir];
    if (!Array.isArray(rules)) continue;
    const peersKey = dir === "ingress" ? "from" : "to";
    rules.forEach((r: unknown, i: number) => {
      if (!isRecord(r)) return;
      const at = `spec.${dir}[${i}]`;
      checkKnownFields(r, [peersKey, "ports"], at, out);
      if (Array.isArray(r[peersKey])) {
        (r[peersKey] as unknown[]).forEach((peer, j) => {
          if (!isRecord(peer)) return;
          const p = `${at}.${peersKey}[${j}]`;
          checkKnownFields(peer, ["podSelector", "namespaceSelector", "ipBlock"], p, out);
          if (peer.podSelector == null && peer.namespaceSelector == null && peer.ipBlock == null) {
            out.push({ field: p, reason: "must specify a peer: podSelector, namespaceSelector or ipBlock" });
          }
          checkLabelSelector(peer.podSelector, `${p}.podSelector`, out);
          checkLabelSelector(peer.namespaceSelector, `${p}.namespaceSelector`, out);
          if (peer.ipBlock !== undefined && peer.ipBlock !== null) {
            if (peer.podSelector != null || peer.namespaceSelector != null) {
              out.push({
                field: p,
                reason: "ipBlock cannot be combined with podSelector or namespaceSelector",
              });
            }
            checkIpBlock(peer.ipBlock, `${p}.ipBlock`, out);
          }
        });
      }
      if (!Array.isArray(r.ports)) return;
      r.ports.forEach((port: unknown, j: number) => {
        if (!isRecord(port)) return;
        const p = `${at}.ports[${j}]`;
        checkKnownFields(port, ["protocol", "port", "endPort"], p, out);
        checkProtocol(port.protocol, `${p}.protocol`, out);
        checkPortOrName(port.port, `${p}.port`, out);
        if (port.endPort !== undefined && port.endPort !== null) {
          if (!Number.isInteger(port.port)) {
            out.push({ field: `${p}.endPort`, reason: "endPort needs a numeric port" });
          } else if (
            !Number.isInteger(port.endPort) ||
            (port.endPort as number) < (port.port as number) ||
            (port.endPort as number) > 65535
          ) {
            out.push({
              field: `${p}.endPort`,
              reason: `must be a port number from port (${String(port.port)}) to 65535, got ${show(port.endPort)}`,
            });
          }
        }
      });
    });
  }
}

function checkPodSpec(spec: unknown, at: string, out: Problems): void {
  if (!isRecord(spec)) return;
  for (const list of ["containers", "initContainers"]) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    cs.forEach((c: unknown, i: number) => {
      if (!isRecord(c) || !Array.isArray(c.ports)) return;
      c.ports.forEach((p: unknown, j: number) => {
        if (!isRecord(p)) return;
        const here = `${at}.${list}[${i}].ports[${j}]`;
        const n = portNumberProblem(p.containerPort);
        if (n) out.push({ field: `${here}.containerPort`, reason: n });
        if (p.hostPort !== undefined && p.hostPort !== null) {
          const h = portNumberProblem(p.hostPort, true);
          if (h) out.push({ field: `${here}.hostPort`, reason: h });
        }
        if (typeof p.name === "string") {
          const np = portNameProblem(p.name);
          if (np) out.push({ field: `${here}.name`, reason: np });
        }
        checkProtocol(p.protocol, `${here}.protocol`, out);
      });
    });
  }
}

function checkService(o: Record<string, unknown>, out: Problems): void {
  const spec = o.spec;
  if (!isRecord(spec)) return;
  if (isRecord(spec.selector)) checkLabels(spec.selector, "spec.selector", out);
  if (!Array.isArray(spec.ports)) return;
  spec.ports.forEach((p: unknown, i: number) => {
    if (!isRecord(p)) return;
    const here = `spec.ports[${i}]`;
    const n = portNumberProblem(p.port);
    if (n) out.push({ field: `${here}.port`, reason: n });
    checkPortOrName(p.targetPort === 0 ? undefined : p.targetPort, `${here}.targetPort`, out);
    if (p.nodePort !== undefined && p.nodePort !== null) {
      const np = portNumberProblem(p.nodePort, true);
      if (np) out.push({ field: `${here}.nodePort`, reason: np });
    }
    checkProtocol(p.protocol, `${here}.protocol`, out);
  });
}

/** Kinds whose spec.selector is a metav1.LabelSelector, and where their pod template is. */
const WORKLOAD_TEMPLATE: Record<string, string | undefined> = {
  Deployment: "spec.template",
  ReplicaSet: "spec.template",
  StatefulSet: "spec.template",
  DaemonSet: "spec.template",
  Job: "spec.template",
  CronJob: "spec.jobTemplate.spec.template",
  Pod: "",
};

function at(o: unknown, dotted: string): unknown {
  if (dotted === "") return o;
  return dotted.split(".").reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), o);
}

/**
 * The API server's checks beyond the schema, for built-in kinds (`group` is "" for
 * the core group). Custom resources get only the metadata checks.
 */
export function apiServerProblems(o: Record<string, unknown>, builtIn: boolean): Problems {
  const out: Problems = [];
  const meta = o.metadata;
  if (isRecord(meta)) {
    if (typeof meta.namespace === "string" && !DNS_LABEL.test(meta.namespace)) {
      out.push({
        field: "metadata.namespace",
        reason: `${show(meta.namespace)} is not a namespace name (lower-case letters, digits and "-", at most 63)`,
      });
    }
    checkLabels(meta.labels, "metadata.labels", out);
  }
  if (!builtIn) return out;
  const kind = String(o.kind);
  if (kind === "NetworkPolicy") checkNetworkPolicy(o, out);
  if (kind === "Service") checkService(o, out);
  if (kind === "PodDisruptionBudget") checkLabelSelector(at(o, "spec.selector"), "spec.selector", out);
  const tpl = WORKLOAD_TEMPLATE[kind];
  if (tpl !== undefined) {
    if (kind !== "Pod") {
      checkLabelSelector(at(o, "spec.selector"), "spec.selector", out);
      checkLabels(at(o, `${tpl}.metadata.labels`), `${tpl}.metadata.labels`, out);
    }
    checkPodSpec(at(o, tpl === "" ? "spec" : `${tpl}.spec`), tpl === "" ? "spec" : `${tpl}.spec`, out);
  }
  return out;
}
