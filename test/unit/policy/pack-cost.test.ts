/**
 * Where the pack's cost grows with the stack (issue 12), held by behaviour, not by time:
 * the stack view is built once for all stack rules of one analysis, resource rules do
 * not read the props of kinds they do not check, and the coverage rule still judges
 * each workload by the policies that select it.
 */
import * as assert from "assert";
import type { ResourceValidation } from "@pulumi/policy";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { resourceRule } from "../../../policy-pack/lib/rule";
import { runPack } from "../../../policy-pack/lib/run";
import { stackViewBuilds } from "../../../policy-pack/lib/stack";
import { POLICIES } from "../../../policy-pack/policies";
import { fixtureManifests, runRule, toResources, wrapProps } from "./harness";

const stackRules = POLICIES.filter((p) => "validateStack" in p);

/**
 * The secure fixture with a marker no other test used: the pack caches the last stack
 * view by content, so a suite that judged the plain fixture before would be served from
 * that cache here and no build would be counted.
 */
let runs = 0;
function freshSecureFixture(): ReturnType<typeof toResources> {
  const manifests = structuredClone(fixtureManifests("secure"));
  const m = manifests[0];
  m.metadata = {
    ...m.metadata,
    annotations: { ...m.metadata?.annotations, "test.netplat.dev/run": `pack-cost-${++runs}` },
  };
  return toResources(manifests);
}

describe("policy pack cost", () => {
  it("builds the stack view once for every stack rule of one analysis, though each gets its own copy of the resources", () => {
    const resources = freshSecureFixture();
    // runPack hands each stack rule the same array; the policy runtime deserialises a
    // fresh copy per rule, as a copy per run does here.
    const config = Object.fromEntries(stackRules.map((p) => [p.name, "mandatory" as const]));
    const before = stackViewBuilds();
    for (const p of stackRules) runPack(structuredClone(resources), config, { policies: [p], wrapProps });
    assert.strictEqual(stackViewBuilds() - before, 1);
  }).timeout(60_000);

  it("builds a new view when any resource changed, so a rule never judges a stale stack", () => {
    const resources = freshSecureFixture();
    const name = "kubernetes-workload-networkpolicy-coverage";
    assert.deepStrictEqual(runRule(name, resources), []);
    const changed = structuredClone(resources);
    for (const r of changed) {
      const m = r.props as unknown as K8sManifest;
      if (m.kind === "NetworkPolicy")
        (m.spec as Record<string, unknown>).podSelector = { matchLabels: { app: "none" } };
    }
    const before = stackViewBuilds();
    const vs = runRule(name, changed);
    assert.strictEqual(stackViewBuilds() - before, 1);
    assert.ok(vs.length > 0, "the changed policies select no workload, which the rule must report");
  });

  it("a resource rule reads no props of a kind it does not check", () => {
    let reads = 0;
    const props = new Proxy(
      { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
      {
        get: (t, k) => {
          reads++;
          return Reflect.get(t, k);
        },
        ownKeys: (t) => {
          reads++;
          return Reflect.ownKeys(t);
        },
      },
    );
    const rule = resourceRule(
      {
        name: "t",
        description: "t",
        severity: "low",
        remediation: "r",
        enforcementLevel: "mandatory",
        kinds: ["Deployment"],
      },
      () => assert.fail("checked"),
    );
    let reason: string | undefined;
    assert.throws(
      () =>
        (rule.validateResource as ResourceValidation)(
          {
            type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
            name: "crd",
            urn: "urn",
            props,
            opts: {} as never,
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: () => ({}) as never,
            notApplicable: (r?: string): never => {
              reason = r;
              throw new Error("not applicable");
            },
          },
          () => assert.fail("reported"),
        ),
      /not applicable/,
    );
    assert.strictEqual(reason, "checks Deployment only");
    assert.strictEqual(reads, 0);
  });

  it("coverage: a workload is covered by policies whose selector matches it, per direction, without a default-deny", () => {
    const deploy = (name: string): K8sManifest => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "shop" },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name, image: "x@sha256:0" }] },
        },
      },
    });
    const netpol = (name: string, app: string, types: string[]): K8sManifest => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: "shop" },
      spec: { podSelector: { matchLabels: { app } }, policyTypes: types },
    });
    const vs = runRule("kubernetes-workload-networkpolicy-coverage", [
      deploy("a"),
      deploy("b"),
      deploy("c"),
      netpol("a-in", "a", ["Ingress"]),
      netpol("a-out", "a", ["Egress"]),
      netpol("b-in", "b", ["Ingress"]),
      {
        ...netpol("all-in-other-ns", "c", ["Ingress", "Egress"]),
        metadata: { name: "x", namespace: "other" },
      },
    ]);
    assert.deepStrictEqual(
      vs.map((v) => `${v.name}: ${v.message.split(".")[0]}`),
      [
        "b: no NetworkPolicy selects its pods for Egress",
        "c: no NetworkPolicy selects its pods for Ingress or Egress",
      ],
    );
  });
});
