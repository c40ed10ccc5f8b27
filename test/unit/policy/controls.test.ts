/**
 * Benchmark tags: each rule carries the CIS Kubernetes Benchmark and NSA/CISA hardening
 * controls it implements, `policiesTagged` (and `policy:check --tags`) selects rules by
 * tag, and docs/policies.md lists every control tag with its rules.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  CIS_CONTROLS,
  CIS_TAG,
  NSA_CISA_SECTIONS,
  NSA_CISA_TAG,
  RULE_CONTROLS,
} from "../../../policy-pack/lib/controls";
import { POLICIES, POLICY_NAMES, POLICY_TAGS, policiesTagged } from "../../../policy-pack/policies";

const tagsOf = (name: string) => POLICIES.find((p) => p.name === name)?.tags ?? [];
const DOC = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "policies.md"), "utf8");

describe("benchmark control tags", () => {
  it("maps only rules that exist, each to controls that exist", () => {
    for (const [rule, c] of Object.entries(RULE_CONTROLS)) {
      assert.ok(POLICY_NAMES.includes(rule), `${rule} is not a rule of the pack`);
      for (const id of c.cis ?? []) assert.ok(id in CIS_CONTROLS, `${rule}: CIS ${id}`);
      for (const s of c.nsaCisa ?? []) assert.ok(s in NSA_CISA_SECTIONS, `${rule}: NSA/CISA ${s}`);
    }
  });

  it("tags the rules with the controls they implement", () => {
    const expect: Record<string, string[]> = {
      "kubernetes-pod-no-privileged": ["cis:5.2.2", "nsa-cisa:pod-security"],
      "kubernetes-pod-no-host-namespaces": ["cis:5.2.3", "cis:5.2.4", "cis:5.2.5"],
      "kubernetes-pod-no-privilege-escalation": ["cis:5.2.6"],
      "kubernetes-pod-run-as-non-root": ["cis:5.2.7", "nsa-cisa:non-root-containers"],
      "kubernetes-pod-drop-all-capabilities": ["cis:5.2.8", "cis:5.2.9", "cis:5.2.10"],
      "kubernetes-pod-no-host-process": ["cis:5.2.11"],
      "kubernetes-pod-no-host-path-volumes": ["cis:5.2.12"],
      "kubernetes-pod-no-host-port": ["cis:5.2.13"],
      "kubernetes-networkpolicy-enforced-by-cni": ["cis:5.3.1", "nsa-cisa:network-policies"],
      "kubernetes-namespace-default-deny": ["cis:5.3.2", "nsa-cisa:network-policies"],
      "kubernetes-workload-networkpolicy-coverage": ["cis:5.3.2"],
      "kubernetes-pod-seccomp-restricted": ["cis:5.7.2"],
      "kubernetes-no-default-namespace": ["cis:5.7.4", "nsa-cisa:namespaces"],
      "kubernetes-pod-read-only-root-filesystem": ["nsa-cisa:immutable-file-systems"],
      "kubernetes-pod-resources": ["nsa-cisa:resource-policies"],
      "istio-mesh-strict-mtls": ["nsa-cisa:encryption"],
      "reachability-matches-intent": ["nsa-cisa:network-policies"],
    };
    for (const [rule, tags] of Object.entries(expect)) {
      for (const t of tags)
        assert.ok(tagsOf(rule).includes(t), `${rule} lacks ${t}: ${tagsOf(rule).join(", ")}`);
      const framework = tags.some((t) => t.startsWith("cis:")) ? CIS_TAG : NSA_CISA_TAG;
      assert.ok(tagsOf(rule).includes(framework), `${rule} lacks ${framework}`);
    }
  });

  it("leaves rules that only relate to a control untagged for it", () => {
    assert.ok(!tagsOf("kubernetes-pod-capabilities-baseline").some((t) => t.startsWith("cis:")));
    assert.ok(!tagsOf("kubernetes-pod-seccomp-baseline").includes("cis:5.7.2"));
    for (const rule of [
      "kubernetes-deployment-ha",
      "kubernetes-pod-probes",
      "kubernetes-networkpolicy-dns-udp-tcp",
    ]) {
      assert.ok(
        !tagsOf(rule).some((t) => t.startsWith("cis") || t.startsWith("nsa-cisa")),
        `${rule}: ${tagsOf(rule).join(", ")}`,
      );
    }
  });

  it("keeps the Pod Security Standards tags and the kind and scope tags", () => {
    assert.deepStrictEqual(
      tagsOf("kubernetes-pod-no-privileged").filter(
        (t) => t.startsWith("pss") || t === "pod-security-standards",
      ),
      ["pod-security-standards", "pss-baseline", "pss-check:privileged"],
    );
    assert.ok(tagsOf("reachability-matches-intent").includes("stack"));
    assert.ok(tagsOf("kubernetes-pod-no-privileged").includes("Deployment"));
  });

  it("selects the rules carrying any of the given tags", () => {
    assert.deepStrictEqual(
      policiesTagged(["cis:5.2.2"]).map((p) => p.name),
      ["kubernetes-pod-no-privileged"],
    );
    assert.deepStrictEqual(
      policiesTagged(["cis:5.3.1", "cis:5.7.4"])
        .map((p) => p.name)
        .sort(),
      ["kubernetes-networkpolicy-enforced-by-cni", "kubernetes-no-default-namespace"],
    );
    const cis = policiesTagged([CIS_TAG]).map((p) => p.name);
    assert.deepStrictEqual(
      cis.sort(),
      Object.entries(RULE_CONTROLS)
        .filter(([, c]) => (c.cis ?? []).length > 0)
        .map(([r]) => r)
        .sort(),
    );
  });

  it("refuses an unknown tag, naming it and the accepted tags", () => {
    assert.throws(
      () => policiesTagged(["cis:5.2.2", "cis:9.9.9"]),
      (e: Error) =>
        /unknown tag "cis:9\.9\.9"; accepted: /.test(e.message) &&
        POLICY_TAGS.every((t) => e.message.includes(t)),
    );
  });

  it("lists every control tag with exactly its rules in docs/policies.md", () => {
    const control = POLICY_TAGS.filter((t) => t.startsWith("cis:") || t.startsWith("nsa-cisa:"));
    assert.ok(control.length > 20, `only ${control.length} control tags`);
    for (const tag of control) {
      const row = DOC.split("\n").find((l) => l.startsWith(`| \`${tag}\` |`));
      assert.ok(row, `docs/policies.md has no row for ${tag}`);
      const listed = [...row.split("|")[3].matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]).sort();
      assert.deepStrictEqual(
        listed,
        policiesTagged([tag])
          .map((p) => p.name)
          .sort(),
        tag,
      );
    }
  });
});
