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
import { runPack } from "../../../policy-pack/lib/run";
import { runRule, summary, toResources, wrapProps } from "./harness";
import { inKind, pssPolicies, type Pod } from "./pss-support";

type Spec = Record<string, unknown> & {
  securityContext: Record<string, unknown>;
  containers: Array<Record<string, unknown> & { securityContext: Record<string, unknown> }>;
};

/** A pod that meets the restricted profile. */
function restrictedPod(): Pod & { spec: Spec } {
  return {
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "app",
          image: "ghcr.io/example/app:1.0.0",
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          readinessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        },
      ],
      volumes: [{ name: "tmp", emptyDir: {} }],
    },
  };
}

type Mutate = (pod: Pod & { spec: Spec }) => void;
const ctr = (p: Pod & { spec: Spec }) => p.spec.containers[0];
const sc = (p: Pod & { spec: Spec }) => ctr(p).securityContext;
const podSc = (p: Pod & { spec: Spec }) => p.spec.securityContext;
const addInit = (p: Pod & { spec: Spec }, securityContext: Record<string, unknown>) =>
  void (p.spec.initContainers = [{ name: "setup", image: "busybox:1.36", securityContext }]);
const addEphemeral = (p: Pod & { spec: Spec }, securityContext: Record<string, unknown>) =>
  void (p.spec.ephemeralContainers = [{ name: "debug", image: "busybox:1.36", securityContext }]);
const restrictedSc = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });

interface Cases {
  compliant: Array<[string, Mutate]>;
  violating: Array<[string, Mutate, string]>;
}

const CASES: Record<PssCheckId, Cases> = {
  windowsHostProcess: {
    compliant: [["hostProcess: false", (p) => void (podSc(p).windowsOptions = { hostProcess: false })]],
    violating: [
      ["pod hostProcess", (p) => void (podSc(p).windowsOptions = { hostProcess: true }), "the pod sets"],
      [
        "ephemeral container hostProcess",
        (p) => addEphemeral(p, { ...restrictedSc(), windowsOptions: { hostProcess: true } }),
        'ephemeral container "debug" sets securityContext.windowsOptions.hostProcess',
      ],
    ],
  },
  hostNamespaces: {
    compliant: [["hostNetwork: false", (p) => void (p.spec.hostNetwork = false)]],
    violating: [
      ["hostIPC", (p) => void (p.spec.hostIPC = true), "hostIPC: true"],
      ["hostNetwork", (p) => void (p.spec.hostNetwork = true), "hostNetwork: true"],
      ["hostPID", (p) => void (p.spec.hostPID = true), "hostPID: true"],
    ],
  },
  privileged: {
    compliant: [["privileged: false", (p) => void (sc(p).privileged = false)]],
    violating: [
      ["container", (p) => void (sc(p).privileged = true), 'container "app" runs privileged'],
      [
        "init container",
        (p) => addInit(p, { ...restrictedSc(), privileged: true }),
        'init container "setup"',
      ],
    ],
  },
  capabilities_baseline: {
    compliant: [["adds CHOWN", (p) => void (sc(p).capabilities = { add: ["CHOWN", "NET_BIND_SERVICE"] })]],
    violating: [
      ["adds NET_RAW", (p) => void (sc(p).capabilities = { add: ["NET_RAW"] }), "adds capabilities NET_RAW"],
      ["lower case", (p) => void (sc(p).capabilities = { add: ["chown"] }), "adds capabilities chown"],
    ],
  },
  hostPathVolumes: {
    compliant: [
      ["a PVC", (p) => void (p.spec.volumes = [{ name: "d", persistentVolumeClaim: { claimName: "d" } }])],
    ],
    violating: [
      [
        "hostPath",
        (p) => void (p.spec.volumes = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]),
        'volume "docker" is a hostPath volume',
      ],
    ],
  },
  hostPorts: {
    compliant: [["hostPort 0", (p) => void (ctr(p).ports = [{ containerPort: 8080, hostPort: 0 }])]],
    violating: [
      ["hostPort 80", (p) => void (ctr(p).ports = [{ containerPort: 80, hostPort: 80 }]), "hostPort 80"],
    ],
  },
  hostProbesAndHostLifecycle: {
    compliant: [["empty host", (p) => void (ctr(p).livenessProbe = { tcpSocket: { port: 8080, host: "" } })]],
    violating: [
      [
        "probe host",
        (p) => void (ctr(p).startupProbe = { httpGet: { path: "/", port: 80, host: "10.0.0.1" } }),
        'startupProbe host "10.0.0.1"',
      ],
      [
        "preStop host",
        (p) => void (ctr(p).lifecycle = { preStop: { tcpSocket: { port: 80, host: "localhost" } } }),
        'lifecycle.preStop host "localhost"',
      ],
    ],
  },
  appArmorProfile: {
    compliant: [
      ["RuntimeDefault", (p) => void (podSc(p).appArmorProfile = { type: "RuntimeDefault" })],
      [
        "localhost annotation",
        (p) =>
          void (p.metadata = {
            annotations: { "container.apparmor.security.beta.kubernetes.io/app": "localhost/x" },
          }),
      ],
    ],
    violating: [
      [
        "Unconfined",
        (p) => void (sc(p).appArmorProfile = { type: "Unconfined" }),
        'appArmorProfile.type "Unconfined"',
      ],
      [
        "unconfined annotation",
        (p) =>
          void (p.metadata = {
            annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" },
          }),
        '"unconfined"',
      ],
    ],
  },
  seLinuxOptions: {
    compliant: [
      [
        "container_t with a level",
        (p) => void (podSc(p).seLinuxOptions = { type: "container_t", level: "s0:c1" }),
      ],
    ],
    violating: [
      ["spc_t", (p) => void (sc(p).seLinuxOptions = { type: "spc_t" }), 'type "spc_t"'],
      ["a user", (p) => void (podSc(p).seLinuxOptions = { user: "system_u" }), 'user "system_u"'],
    ],
  },
  procMount: {
    compliant: [["Default", (p) => void (sc(p).procMount = "Default")]],
    violating: [["Unmasked", (p) => void (sc(p).procMount = "Unmasked"), 'procMount "Unmasked"']],
  },
  seccompProfile_baseline: {
    compliant: [["unset everywhere", (p) => void delete podSc(p).seccompProfile]],
    violating: [
      [
        "container Unconfined",
        (p) => void (sc(p).seccompProfile = { type: "Unconfined" }),
        'container "app" sets seccompProfile.type "Unconfined"',
      ],
    ],
  },
  sysctls: {
    compliant: [
      ["a safe sysctl", (p) => void (podSc(p).sysctls = [{ name: "net.ipv4.tcp_rmem", value: "4096" }])],
    ],
    violating: [
      [
        "kernel.msgmax",
        (p) => void (podSc(p).sysctls = [{ name: "kernel.msgmax", value: "1" }]),
        "kernel.msgmax",
      ],
    ],
  },
  restrictedVolumes: {
    compliant: [
      [
        "projected and csi",
        (p) =>
          void (p.spec.volumes = [
            { name: "a", projected: { sources: [] } },
            { name: "b", csi: { driver: "x" } },
          ]),
      ],
    ],
    violating: [
      [
        "nfs",
        (p) => void (p.spec.volumes = [{ name: "n", nfs: { server: "s", path: "/" } }]),
        "is of type nfs",
      ],
      ["no source", (p) => void (p.spec.volumes = [{ name: "bare" }]), "names no volume source"],
    ],
  },
  allowPrivilegeEscalation: {
    compliant: [
      [
        "windows pod",
        (p) => {
          p.spec.os = { name: "windows" };
          delete sc(p).allowPrivilegeEscalation;
        },
      ],
    ],
    violating: [
      [
        "unset",
        (p) => void delete sc(p).allowPrivilegeEscalation,
        "does not set allowPrivilegeEscalation: false",
      ],
      ["true", (p) => void (sc(p).allowPrivilegeEscalation = true), "sets allowPrivilegeEscalation: true"],
    ],
  },
  runAsNonRoot: {
    compliant: [
      [
        "on the container only",
        (p) => {
          delete podSc(p).runAsNonRoot;
          sc(p).runAsNonRoot = true;
        },
      ],
    ],
    violating: [
      ["unset", (p) => void delete podSc(p).runAsNonRoot, "does not set runAsNonRoot: true"],
      [
        "pod false, container true",
        (p) => {
          podSc(p).runAsNonRoot = false;
          sc(p).runAsNonRoot = true;
        },
        "the pod sets runAsNonRoot: false",
      ],
      [
        "init container false",
        (p) => addInit(p, { ...restrictedSc(), runAsNonRoot: false }),
        'init container "setup" sets',
      ],
    ],
  },
  runAsUser: {
    compliant: [["unset", (p) => void delete podSc(p).runAsUser]],
    violating: [
      [
        "pod 0, container 1000",
        (p) => {
          podSc(p).runAsUser = 0;
          sc(p).runAsUser = 1000;
        },
        "the pod runs as user 0",
      ],
      ["container 0", (p) => void (sc(p).runAsUser = 0), 'container "app" runs as user 0'],
    ],
  },
  seccompProfile_restricted: {
    compliant: [
      [
        "on the container only",
        (p) => {
          delete podSc(p).seccompProfile;
          sc(p).seccompProfile = { type: "Localhost", localhostProfile: "p.json" };
        },
      ],
    ],
    violating: [
      ["unset", (p) => void delete podSc(p).seccompProfile, "has no seccompProfile"],
      [
        "container Unconfined under a RuntimeDefault pod",
        (p) => void (sc(p).seccompProfile = { type: "Unconfined" }),
        'container "app" sets seccompProfile.type "Unconfined"',
      ],
      [
        "an ephemeral container without one",
        (p) => {
          delete podSc(p).seccompProfile;
          sc(p).seccompProfile = { type: "RuntimeDefault" };
          addEphemeral(p, restrictedSc());
        },
        'ephemeral container "debug" has no seccompProfile',
      ],
    ],
  },
  capabilities_restricted: {
    compliant: [
      [
        "adds NET_BIND_SERVICE",
        (p) => void (sc(p).capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] }),
      ],
    ],
    violating: [
      ["drops NET_RAW only", (p) => void (sc(p).capabilities = { drop: ["NET_RAW"] }), "does not drop ALL"],
      ['drops "all" (lower case)', (p) => void (sc(p).capabilities = { drop: ["all"] }), "does not drop ALL"],
      [
        "adds CHOWN",
        (p) => void (sc(p).capabilities = { drop: ["ALL"], add: ["CHOWN"] }),
        "adds capabilities CHOWN",
      ],
    ],
  },
};

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
