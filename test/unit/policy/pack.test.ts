import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { STACKS, loadStackConfig, runPack } from "../../../policy-pack/lib/run";
import { POLICIES, POLICY_NAMES } from "../../../policy-pack/policies";
import { fixtureManifests, policy, runRule, toResources, token, wrapProps } from "./harness";

const PACK = path.join(__dirname, "..", "..", "..", "policy-pack");
// The sentinel @pulumi/policy's deserializer uses for an unknown string during preview.
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("policy pack shape", () => {
  it("has unique policy names, each with description, severity, remediation and a default level", () => {
    assert.strictEqual(new Set(POLICY_NAMES).size, POLICY_NAMES.length);
    for (const p of POLICIES) {
      assert.ok(p.description.length > 40, p.name);
      assert.ok(p.severity && p.remediationSteps && p.enforcementLevel, p.name);
    }
  });

  it("has one rule per file under rules/, named after the policy", () => {
    const files = fs.readdirSync(path.join(PACK, "rules")).map((f) => f.replace(/\.ts$/, ""));
    assert.deepStrictEqual(files.sort(), [...POLICY_NAMES].sort());
  });

  for (const stack of STACKS) {
    it(`config/${stack}.json names every policy, and only policies of the pack, with valid levels and keys`, () => {
      const config = loadStackConfig(stack);
      assert.deepStrictEqual(Object.keys(config).sort(), [...POLICY_NAMES].sort());
      for (const [name, entry] of Object.entries(config)) {
        const e = typeof entry === "string" ? { enforcementLevel: entry } : entry;
        assert.ok(["advisory", "mandatory", "disabled"].includes(String(e.enforcementLevel)), name);
        const known = Object.keys(policy(name).configSchema?.properties ?? {});
        for (const k of Object.keys(e))
          if (k !== "enforcementLevel") assert.ok(known.includes(k), `${name}.${k}`);
      }
    });
  }

  it("prod makes every security rule mandatory", () => {
    const prod = loadStackConfig("prod");
    const advisoryByDesign = [
      "kubernetes-pod-image-digest",
      "kubernetes-ingress-retired-ingress-nginx",
      "kubernetes-networkpolicy-dns-udp-tcp",
      "kubernetes-kube-proxy-mode-scale",
    ];
    for (const name of POLICY_NAMES.filter((n) => !advisoryByDesign.includes(n))) {
      const e = prod[name];
      assert.strictEqual(typeof e === "string" ? e : e.enforcementLevel, "mandatory", name);
    }
  });
});

describe("policy args as the runtime builds them", () => {
  it("reads through @pulumi/policy's unknown-checking proxy, treating preview unknowns as absent", () => {
    const [deploy] = fixtureManifests("secure").filter((m) => m.kind === "Deployment");
    const c = (deploy.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template
      .spec.containers[0];
    c.image = UNKNOWN_STRING;
    (c.securityContext as Record<string, unknown>).privileged = true;
    const vs = runRule("kubernetes-pod-no-privileged", [deploy]);
    assert.strictEqual(vs.length, 1);
    assert.match(
      vs[0].message,
      /Unknown during preview, checked as absent: \.spec\.template\.spec\.containers\[0\]\.image/,
    );
    // an unknown image is not reported as missing
    assert.deepStrictEqual(runRule("kubernetes-pod-image-pinned", [deploy]), []);
  });

  it("the proxy really throws on unknowns, so rules must not read props directly", () => {
    const props = wrapProps({ image: UNKNOWN_STRING });
    assert.throws(() => props.image, /can't be known during preview/);
  });

  it("uses the provider's default namespace for objects without one", () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: {} };
    const withNs = toResources([svc], { providerUrn: "urn:p::east", providerProps: { namespace: "shop" } });
    assert.deepStrictEqual(runRule("kubernetes-no-default-namespace", withNs), []);
    assert.strictEqual(runRule("kubernetes-no-default-namespace", toResources([svc])).length, 1);
  });

  it("checks stack rules per cluster (provider URN): the same namespace in two clusters is two namespaces", () => {
    const ms = fixtureManifests("secure");
    const east = toResources(ms, { providerUrn: "urn:pulumi:mc::p::pulumi:providers:kubernetes::east" }).map(
      (r) => ({
        ...r,
        urn: `${r.urn}-east`,
      }),
    );
    const westManifests = ms.filter(
      (m) => !(m.kind === "NetworkPolicy" && m.metadata.name === "default-deny"),
    );
    const west = toResources(westManifests, {
      providerUrn: "urn:pulumi:mc::p::pulumi:providers:kubernetes::west",
    }).map((r) => ({ ...r, urn: `${r.urn}-west` }));
    const vs = runRule("kubernetes-namespace-default-deny", [...east, ...west]);
    assert.strictEqual(vs.length, 1, JSON.stringify(vs));
    assert.ok(vs[0].urn?.endsWith("-west"));
  });

  it("detects the CNI from a Helm chart component assigned to its children's cluster", () => {
    const ms = fixtureManifests("secure").filter((m) => m.metadata.name !== "netplat-platform");
    const provider = "urn:pulumi:dev::p::pulumi:providers:kubernetes::dev";
    const chartUrn = "urn:pulumi:dev::p::kubernetes:helm.sh/v4:Chart::flannel";
    const chart = {
      type: "kubernetes:helm.sh/v4:Chart",
      name: "flannel",
      urn: chartUrn,
      props: { chart: "flannel" },
    };
    const child = {
      type: token("apps/v1", "DaemonSet"),
      name: "kube-flannel-ds-x",
      props: {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "kube-flannel-ds-x", namespace: "kube-flannel" },
      },
      providerUrn: provider,
      parentUrn: chartUrn,
    };
    const res = [chart, child, ...toResources(ms, { providerUrn: provider })];
    const vs = runRule("kubernetes-networkpolicy-enforced-by-cni", res);
    assert.strictEqual(vs.length, 1);
    assert.match(vs[0].message, /flannel does not enforce them \(detected from the stack\)/);
    const cilium = { ...chart, props: { chart: "oci://registry.example/charts/cilium" } };
    assert.deepStrictEqual(
      runRule("kubernetes-networkpolicy-enforced-by-cni", [cilium, child, ...res.slice(2)]),
      [],
    );
  });

  it("honours the enforcement level of the stack's config, and skips disabled policies", () => {
    const res = toResources(
      fixtureManifests("secure").map((m) =>
        m.kind === "Deployment" ? { ...m, spec: { ...m.spec, replicas: 1 } } : m,
      ),
    );
    assert.ok(
      runPack(res, "prod").some((v) => v.policy === "kubernetes-deployment-ha" && v.level === "mandatory"),
    );
    assert.ok(!runPack(res, "dev").some((v) => v.policy === "kubernetes-deployment-ha"));
  });

  it("policies are not applicable to resources that are not Kubernetes objects", () => {
    const res = [{ type: "random:index/randomPassword:RandomPassword", name: "pw", props: { length: 16 } }];
    assert.deepStrictEqual(runPack(res, "prod"), []);
  });
});
