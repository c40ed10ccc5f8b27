/** Where pod specs live in the workload kinds, and how to walk their containers. */
import type { Container, K8sManifest, PodSpec, StringMap } from "./resource-manifest";
import { isRecord } from "./resource-manifest";
// The workload kinds are the reachability analyser's: one list for the whole pack.
import { WORKLOAD_KINDS } from "../reachability/objects";

export { WORKLOAD_KINDS };

export function isWorkload(m: K8sManifest): boolean {
  return m.apiVersion !== undefined && (WORKLOAD_KINDS as readonly string[]).includes(m.kind);
}

/**
 * What the Pod Security Standards read: every workload kind, plus PodTemplate (the
 * API server's PodSecurity admission checks PodTemplates too, though they run no pod,
 * so they are not workloads for the reachability analyser).
 */
export const POD_SPEC_KINDS = [...WORKLOAD_KINDS, "PodTemplate"] as const;

export interface PodTemplate {
  spec: PodSpec;
  labels: StringMap;
  /** The pod's annotations (the template's, for controllers). */
  annotations: StringMap;
}

function templateAt(t: unknown): PodTemplate | undefined {
  if (!isRecord(t)) return undefined;
  const meta = isRecord(t.metadata) ? t.metadata : {};
  return {
    spec: (isRecord(t.spec) ? t.spec : {}) as PodSpec,
    labels: (isRecord(meta.labels) ? meta.labels : {}) as StringMap,
    annotations: (isRecord(meta.annotations) ? meta.annotations : {}) as StringMap,
  };
}

/** The pod template of a workload or PodTemplate (the Pod itself for kind Pod), or undefined. */
export function podTemplateOf(m: K8sManifest): PodTemplate | undefined {
  if (m.kind === "PodTemplate" && m.apiVersion !== undefined) return templateAt(m.template);
  if (!isWorkload(m)) return undefined;
  if (m.kind === "Pod") {
    return {
      spec: (m.spec ?? {}) as PodSpec,
      labels: m.metadata.labels ?? {},
      annotations: m.metadata.annotations ?? {},
    };
  }
  const spec = m.spec ?? {};
  if (m.kind === "CronJob") {
    const jt = isRecord(spec.jobTemplate) ? spec.jobTemplate : {};
    const js = isRecord(jt.spec) ? jt.spec : {};
    return templateAt(js.template);
  }
  return templateAt(spec.template);
}

export interface ContainerRef {
  container: Container;
  /** `container "web"`, `init container "migrate"`. */
  label: string;
  role: "container" | "init" | "ephemeral";
}

export function containersOf(spec: PodSpec): ContainerRef[] {
  const out: ContainerRef[] = [];
  const add = (list: Container[] | undefined, role: ContainerRef["role"], word: string) => {
    (Array.isArray(list) ? list : []).forEach((c, i) => {
      out.push({ container: c, role, label: `${word} "${c.name ?? `#${i}`}"` });
    });
  };
  add(spec.containers, "container", "container");
  add(spec.initContainers, "init", "init container");
  add(spec.ephemeralContainers, "ephemeral", "ephemeral container");
  return out;
}
