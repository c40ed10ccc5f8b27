/**
 * Test harness for the policy pack: runs policies through their own
 * validateResource/validateStack functions (via runPack), with props wrapped in
 * @pulumi/policy's unknownCheckingProxy exactly as the policy runtime wraps them.
 */
import * as path from "path";
import { unknownCheckingProxy } from "@pulumi/policy";
import { parseAllDocuments } from "yaml";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { typeTokenFor } from "../../../policy-pack/lib/resource-manifest";
import { manifestsToResources } from "../../../policy-pack/lib/load-manifests";
import { loadManifests } from "../../../policy-pack/manifests";
import type { PackPolicy } from "../../../policy-pack/lib/rule";
import {
  runPack,
  type PackConfig,
  type PackResource,
  type StackName,
  type Violation,
} from "../../../policy-pack/lib/run";
import { POLICIES } from "../../../policy-pack/policies";

export const FIXTURES = path.join(__dirname, "..", "..", "fixtures");

export const wrapProps = (p: Record<string, unknown>): Record<string, unknown> =>
  unknownCheckingProxy(p) as Record<string, unknown>;

export function policy(name: string): PackPolicy {
  const p = POLICIES.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

/** Manifests of a fixture folder, as plain objects (deep copies, safe to mutate). */
export function fixtureManifests(dir: string): K8sManifest[] {
  return loadManifests([path.join(FIXTURES, dir)]).map((l) => structuredClone(l.manifest));
}

export function yamlManifests(text: string): K8sManifest[] {
  return parseAllDocuments(text as string)
    .map((d) => d.toJS() as K8sManifest)
    .filter(Boolean);
}

export function toResources(manifests: K8sManifest[], extra: Partial<PackResource> = {}): PackResource[] {
  return manifestsToResources(manifests.map((manifest) => ({ manifest, file: "test", doc: 1 }))).map((r) => ({
    ...r,
    ...extra,
  }));
}

/** Runs one policy (by name) on the resources with `config` as its policy config (default: none). */
export function runRule(
  name: string,
  resources: PackResource[] | K8sManifest[],
  config: Record<string, unknown> = {},
): Violation[] {
  const res = isResources(resources) ? resources : toResources(resources);
  const cfg: PackConfig = { [name]: { enforcementLevel: "mandatory", ...config } };
  return runPack(res, cfg, { policies: [policy(name)], wrapProps });
}

export function runStack(resources: PackResource[] | K8sManifest[], stack: StackName): Violation[] {
  const res = isResources(resources) ? resources : toResources(resources);
  return runPack(res, stack, { wrapProps });
}

function isResources(x: PackResource[] | K8sManifest[]): x is PackResource[] {
  return x.length > 0 && typeof (x[0] as PackResource).type === "string" && "props" in x[0];
}

/** Finds the manifest of that kind and name (first match) in a list, or throws. */
export function find(list: K8sManifest[], kind: string, name: string, namespace?: string): K8sManifest {
  const m = list.find(
    (x) =>
      x.kind === kind &&
      x.metadata.name === name &&
      (namespace === undefined || x.metadata.namespace === namespace),
  );
  if (!m) throw new Error(`fixture has no ${kind} ${name}`);
  return m;
}

/** The first container of a workload's pod template. */
export function firstContainer(
  m: K8sManifest,
): Record<string, unknown> & { securityContext: Record<string, unknown> } {
  const spec = m.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } };
  return spec.template.spec.containers[0] as Record<string, unknown> & {
    securityContext: Record<string, unknown>;
  };
}

export function podSpec(m: K8sManifest): Record<string, unknown> {
  return (m.spec as { template: { spec: Record<string, unknown> } }).template.spec;
}

export const token = typeTokenFor;

export function summary(vs: Violation[]): string {
  return vs.map((v) => `${v.policy} ${v.kind} ${v.namespace ?? ""}/${v.name}: ${v.message}`).join("\n");
}
