/**
 * Per Pod Security Standards control, compliant and violating changes to a
 * restricted-compliant pod. Used by pss.test.ts (through each rule) and cli.test.ts
 * (through `policy:check --stack prod`).
 */
import type { PssCheckId } from "../../../policy-pack/lib/pss";
import type { Pod } from "./pss-support";

export type Spec = Record<string, unknown> & {
  securityContext: Record<string, unknown>;
  containers: Array<Record<string, unknown> & { securityContext: Record<string, unknown> }>;
};

/** A pod that meets the restricted profile. */
export function restrictedPod(): Pod & { spec: Spec } {
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

export type Mutate = (pod: Pod & { spec: Spec }) => void;
const ctr = (p: Pod & { spec: Spec }) => p.spec.containers[0];
export const sc = (p: Pod & { spec: Spec }) => ctr(p).securityContext;
const podSc = (p: Pod & { spec: Spec }) => p.spec.securityContext;
export const addInit = (p: Pod & { spec: Spec }, securityContext: Record<string, unknown>) =>
  void (p.spec.initContainers = [{ name: "setup", image: "busybox:1.36", securityContext }]);
export const addEphemeral = (p: Pod & { spec: Spec }, securityContext: Record<string, unknown>) =>
  void (p.spec.ephemeralContainers = [{ name: "debug", image: "busybox:1.36", securityContext }]);
export const restrictedSc = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });

export interface Cases {
  compliant: Array<[string, Mutate]>;
  violating: Array<[string, Mutate, string]>;
}

export const CASES: Record<PssCheckId, Cases> = {
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
