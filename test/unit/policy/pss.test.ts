/**
 * The Pod Security Standards rules, one control at a time, through their own validate
 * functions: a compliant and a violating case per control (pod-level defaults,
 * container overrides, init and ephemeral containers), every kind PodSecurity reads,
 * the narrow exemptions, and the control table in docs/policies.md.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { POD_SPEC_KINDS } from "../../../policy-pack/lib/pods";
import { PSS_CONTROLS, type PssCheckId } from "../../../policy-pack/lib/pss";
import { loadStackConfig, runPack, STACKS } from "../../../policy-pack/lib/run";
import { runRule, summary, toResources, wrapProps } from "./harness";
import {
  addEphemeral,
  addInit,
  CASES,
  restrictedPod,
  restrictedSc,
  sc,
  type Cases,
  type Mutate,
} from "./pss-cases";
import { inKind, pssPolicies } from "./pss-support";

const RULES = pssPolicies();
const ruleFor = (check: PssCheckId) => {
  const r = RULES.find((x) => x.check === check);
  if (!r) throw new Error(`no rule implements ${check}`);
  return r.policy.name;
};

describe("Pod Security Standards rules (v1.34)", () => {
  it("implement every control of baseline and restricted, one rule each", () => {
    assert.deepStrictEqual(RULES.map((r) => r.check).sort(), Object.keys(PSS_CONTROLS).sort());
    assert.deepStrictEqual(Object.keys(CASES).sort(), Object.keys(PSS_CONTROLS).sort());
  });

  it("are enforced: restricted mandatory in prod and multi-cluster, baseline mandatory and restricted advisory in dev", () => {
    for (const stack of STACKS) {
      const config = loadStackConfig(stack);
      for (const { policy, check } of RULES) {
        const e = config[policy.name];
        const level = typeof e === "string" ? e : e?.enforcementLevel;
        const want = stack === "dev" && PSS_CONTROLS[check].level === "restricted" ? "advisory" : "mandatory";
        assert.strictEqual(level, want, `${stack} ${policy.name}`);
      }
    }
  });

  it("pass the restricted-compliant pod in every kind PodSecurity reads", () => {
    for (const kind of POD_SPEC_KINDS) {
      const vs = runPack(
        toResources([inKind(kind, restrictedPod())]),
        Object.fromEntries(RULES.map((r) => [r.policy.name, "mandatory"])),
        {
          policies: RULES.map((r) => r.policy),
          wrapProps,
        },
      );
      assert.strictEqual(vs.length, 0, `${kind}:\n${summary(vs)}`);
    }
  });

  for (const [check, { compliant, violating }] of Object.entries(CASES) as Array<[PssCheckId, Cases]>) {
    const name = ruleFor(check);
    const { title, level } = PSS_CONTROLS[check];
    describe(`${level} "${title}" (${name})`, () => {
      for (const [what, mutate] of compliant) {
        it(`admits: ${what}`, () => {
          const pod = restrictedPod();
          mutate(pod);
          const vs = runRule(name, [inKind("Deployment", pod)]);
          assert.strictEqual(vs.length, 0, summary(vs));
        });
      }
      for (const [what, mutate, expect] of violating) {
        it(`refuses: ${what}`, () => {
          const pod = restrictedPod();
          mutate(pod);
          const vs = runRule(name, [inKind("Deployment", pod)]);
          const hit = vs.find((v) => v.message.includes(expect));
          assert.ok(hit, `expected "${expect}" among:\n${summary(vs)}`);
          assert.ok(hit.message.includes(`(${level}, v1.34) control "${title}"`), hit.message);
          assert.match(hit.message, /\. [A-Z].*\.$/, "ends with a remediation sentence");
        });
      }
    });
  }

  it("read the pod of every kind and every container type", () => {
    const setters: Array<[string, Mutate]> = [
      ["container", (p) => void (sc(p).privileged = true)],
      ["init container", (p) => addInit(p, { ...restrictedSc(), privileged: true })],
      ["ephemeral container", (p) => addEphemeral(p, { ...restrictedSc(), privileged: true })],
    ];
    for (const kind of POD_SPEC_KINDS) {
      for (const [label, mutate] of setters) {
        const pod = restrictedPod();
        mutate(pod);
        const vs = runRule("kubernetes-pod-no-privileged", [inKind(kind, pod)]);
        assert.ok(
          vs.some((v) => v.kind === kind && v.message.startsWith(label)),
          `${kind} ${label}: ${summary(vs)}`,
        );
      }
    }
  });

  it("read AppArmor annotations from the pod template's metadata, not the controller's", () => {
    const pod = restrictedPod();
    const bad = { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } };
    const onController = inKind("Deployment", pod);
    onController.metadata.annotations = bad.annotations;
    assert.deepStrictEqual(runRule("kubernetes-pod-apparmor-profile", [onController]), []);
    pod.metadata = bad;
    assert.strictEqual(runRule("kubernetes-pod-apparmor-profile", [inKind("CronJob", pod)]).length, 1);
  });
});

describe("Pod Security Standards exemptions (config `exemptions`)", () => {
  const agent = () => {
    const pod = restrictedPod();
    pod.spec.hostNetwork = true;
    return pod;
  };
  const exemptions = [
    {
      namespace: "kube-system",
      kind: "DaemonSet",
      name: "cilium",
      reason: "CNI agent: programs the node's network",
    },
  ];

  it("skip exactly the listed workload in its namespace", () => {
    const listed = inKind("DaemonSet", agent(), "cilium", "kube-system");
    assert.deepStrictEqual(runRule("kubernetes-pod-no-host-namespaces", [listed], { exemptions }), []);
  });

  it("still refuse the same object in an app namespace, under another name or as another kind", () => {
    for (const m of [
      inKind("DaemonSet", agent(), "cilium", "shop"),
      inKind("DaemonSet", agent(), "cilium-copy", "kube-system"),
      inKind("Deployment", agent(), "cilium", "kube-system"),
    ]) {
      const vs = runRule("kubernetes-pod-no-host-namespaces", [m], { exemptions });
      assert.strictEqual(
        vs.length,
        1,
        `${m.kind} ${m.metadata.namespace}/${m.metadata.name}: ${summary(vs)}`,
      );
    }
  });

  it("exempt from the one rule they are listed under, not from the other controls", () => {
    const pod = agent();
    sc(pod).privileged = true;
    const m = inKind("DaemonSet", pod, "cilium", "kube-system");
    assert.strictEqual(runRule("kubernetes-pod-no-privileged", [m], {}).length, 1);
  });

  it("refuse exclude patterns, wildcards and entries without a reason, naming the problem", () => {
    const m = [inKind("Deployment", restrictedPod())];
    assert.throws(
      () => runRule("kubernetes-pod-no-privileged", m, { exclude: ["kube-system/*"] }),
      /kubernetes-pod-no-privileged: config "exclude" is not accepted.*"exemptions"/,
    );
    assert.throws(
      () =>
        runRule("kubernetes-pod-no-privileged", m, {
          exemptions: [{ namespace: "kube-system", kind: "DaemonSet", name: "*", reason: "all agents" }],
        }),
      /exemptions\[0\]\.name "\*" has a wildcard/,
    );
    assert.throws(
      () =>
        runRule("kubernetes-pod-no-privileged", m, {
          exemptions: [{ namespace: "kube-system", kind: "DaemonSet", name: "cilium" }],
        }),
      /exemptions\[0\]\.reason must be a non-empty string/,
    );
    assert.throws(
      () =>
        runRule("kubernetes-pod-no-privileged", m, {
          exemptions: [{ namespace: "kube-system", kind: "Service", name: "x", reason: "r" }],
        }),
      /exemptions\[0\]\.kind "Service" is not one this rule checks/,
    );
  });

  it("are listed in docs/policies.md, with every exemption the stack configs hold", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "policies.md"), "utf8");
    assert.match(doc, /### Pod Security Standards exemptions/);
    for (const stack of ["dev", "prod", "multi-cluster"]) {
      const cfg = JSON.parse(
        fs.readFileSync(
          path.join(__dirname, "..", "..", "..", "policy-pack", "config", `${stack}.json`),
          "utf8",
        ),
      ) as Record<string, { exemptions?: Array<{ namespace: string; kind: string; name: string }> }>;
      for (const [rule, e] of Object.entries(cfg)) {
        for (const x of e.exemptions ?? []) {
          assert.ok(
            doc.includes(`| \`${rule}\` | ${x.namespace} | ${x.kind} ${x.name} |`),
            `${stack}: ${rule} ${x.namespace}/${x.kind} ${x.name} is not in docs/policies.md`,
          );
        }
      }
    }
  });
});

describe("docs/policies.md control table", () => {
  it("maps each control of the standard to its rule and its test", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "policies.md"), "utf8");
    for (const { policy, check } of RULES) {
      const { title, level } = PSS_CONTROLS[check];
      const row = new RegExp(
        `^\\| ${level} \\| ${title.replace(/[/()]/g, "\\$&")} \\| \`${check}\` \\| \`${policy.name}\` \\| .*pss\\.test\\.ts.* \\|$`,
        "m",
      );
      assert.match(doc, row, `${level} ${title}`);
    }
  });
});
