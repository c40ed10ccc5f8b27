/**
 * Seeded random pods for the Pod Security Standards differential test: a
 * restricted-compliant pod with each field the controls read changed, at a per-case
 * rate, to one of its compliant or non-compliant values (pod and container security
 * contexts, host namespaces and ports, volumes, probes and hooks, annotations, the
 * pod's OS), in a random kind PodSecurity reads.
 */
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { POD_SPEC_KINDS } from "../../../policy-pack/lib/pods";
import { mulberry32 } from "../reachability/generate";
import { inKind, type PodKind } from "./pss-support";

type Rng = () => number;
type Obj = Record<string, unknown>;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** `undefined` means "leave the field out". */
const PROFILES = [
  undefined,
  { type: "RuntimeDefault" },
  { type: "Localhost", localhostProfile: "profiles/app.json" },
  { type: "Unconfined" },
];
const SELINUX = [
  undefined,
  { type: "container_t" },
  { type: "container_engine_t", level: "s0:c1,c2" },
  { type: "spc_t" },
  { user: "system_u" },
  { role: "system_r" },
  { level: "s0" },
];
const CAPS = [
  undefined,
  { drop: ["ALL"] },
  { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
  { drop: ["ALL"], add: ["CHOWN"] },
  { drop: ["all"] },
  { drop: ["NET_RAW"] },
  { add: ["SYS_ADMIN"] },
  { add: ["NET_RAW"] },
  { add: ["KILL", "SETUID"] },
];
const VOLUMES: Obj[] = [
  { emptyDir: {} },
  { configMap: { name: "cfg" } },
  { secret: { secretName: "s" } },
  { persistentVolumeClaim: { claimName: "data" } },
  { projected: { sources: [] } },
  { csi: { driver: "csi.example.com" } },
  { downwardAPI: { items: [] } },
  { ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } } },
  { image: { reference: "ghcr.io/example/data:1" } },
  { hostPath: { path: "/var/log" } },
  { nfs: { server: "nfs.example.com", path: "/" } },
  { gitRepo: { repository: "https://example.com/r.git" } },
  { iscsi: { targetPortal: "10.0.0.1:3260", iqn: "iqn.2001-04.com.example:x", lun: 0 } },
  // Two sources in one volume: API validation refuses it, PodSecurity still judges it (P2).
  { configMap: { name: "cfg" }, hostPath: { path: "/etc" } },
];
const SYSCTLS = [
  undefined,
  [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }],
  [{ name: "net.ipv4.tcp_wmem", value: "4096 16384 4194304" }],
  [{ name: "kernel.msgmax", value: "65536" }],
  [
    { name: "kernel.shm_rmid_forced", value: "1" },
    { name: "net.core.somaxconn", value: "1024" },
  ],
];
const APPARMOR_ANNOTATION = ["runtime/default", "localhost/app", "unconfined", ""];

/** Sets `o[k]` to `v`, or removes it when `v` is undefined. */
function put(o: Obj, k: string, v: unknown): void {
  if (v === undefined) delete o[k];
  else o[k] = structuredClone(v);
}

function container(rng: Rng, name: string, rate: number, ephemeral: boolean): Obj {
  const change = () => rng() < rate;
  const sc: Obj = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
  if (change()) put(sc, "allowPrivilegeEscalation", pick(rng, [undefined, true, false]));
  if (change()) put(sc, "capabilities", pick(rng, CAPS));
  if (change()) put(sc, "privileged", pick(rng, [undefined, false, true]));
  if (change()) put(sc, "runAsNonRoot", pick(rng, [undefined, true, false]));
  if (change()) put(sc, "runAsUser", pick(rng, [undefined, 0, 1000]));
  if (change()) put(sc, "seccompProfile", pick(rng, PROFILES));
  if (change()) put(sc, "appArmorProfile", pick(rng, PROFILES));
  if (change()) put(sc, "seLinuxOptions", pick(rng, SELINUX));
  if (change()) put(sc, "procMount", pick(rng, [undefined, "Default", "Unmasked"]));
  if (change())
    put(sc, "windowsOptions", pick(rng, [undefined, { hostProcess: false }, { hostProcess: true }]));
  const c: Obj = { name, image: "ghcr.io/example/app:1.0.0" };
  if (!(change() && rng() < 0.5)) c.securityContext = sc;
  // Ephemeral containers may not declare ports (the Go type has the field, API validation refuses it).
  if (!ephemeral && change()) c.ports = [{ containerPort: 8080, hostPort: pick(rng, [0, 8080]) }];
  const host = () => pick(rng, ["", "10.0.0.1", "localhost"]);
  if (change()) c.livenessProbe = { httpGet: { path: "/healthz", port: 8080, host: host() } };
  if (change()) c.readinessProbe = { tcpSocket: { port: 8080, host: host() } };
  if (change()) c.startupProbe = { httpGet: { path: "/", port: 8080 } };
  if (change())
    c.lifecycle = {
      preStop: pick(rng, [
        { httpGet: { path: "/stop", port: 8080, host: host() } },
        { tcpSocket: { port: 8080, host: host() } },
      ]),
    };
  return c;
}

export interface GeneratedCase {
  manifest: K8sManifest;
  kind: PodKind;
}

/** `n` seeded random objects named case-0, case-1, ... in namespace shop. */
export function randomPods(seed: number, n: number): GeneratedCase[] {
  const rng = mulberry32(seed);
  const out: GeneratedCase[] = [];
  for (let i = 0; i < n; i++) {
    const rate = pick(rng, [0, 0.04, 0.1, 0.25, 0.5]);
    const change = () => rng() < rate;
    const podSc: Obj = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    if (change()) put(podSc, "runAsNonRoot", pick(rng, [undefined, true, false]));
    if (change()) put(podSc, "runAsUser", pick(rng, [undefined, 0, 1000]));
    if (change()) put(podSc, "seccompProfile", pick(rng, PROFILES));
    if (change()) put(podSc, "appArmorProfile", pick(rng, PROFILES));
    if (change()) put(podSc, "seLinuxOptions", pick(rng, SELINUX));
    if (change())
      put(podSc, "windowsOptions", pick(rng, [undefined, { hostProcess: false }, { hostProcess: true }]));
    if (change()) put(podSc, "sysctls", pick(rng, SYSCTLS));
    const spec: Obj = {
      containers: Array.from({ length: 1 + (change() ? 1 : 0) }, (_, j) =>
        container(rng, `app-${j}`, rate, false),
      ),
    };
    if (!(change() && rng() < 0.3)) spec.securityContext = podSc;
    if (change()) spec.initContainers = [container(rng, "init", rate, false)];
    if (change()) spec.ephemeralContainers = [container(rng, "debug", rate, true)];
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (change()) spec[f] = pick(rng, [false, true]);
    if (change()) spec.os = { name: pick(rng, ["linux", "windows"]) };
    const volumes = [{ name: "tmp", emptyDir: {} }];
    if (change()) volumes.push({ name: "extra", ...pick(rng, VOLUMES) } as { name: string; emptyDir: Obj });
    spec.volumes = volumes;
    const annotations: Record<string, string> = {};
    if (change())
      annotations["container.apparmor.security.beta.kubernetes.io/app-0"] = pick(rng, APPARMOR_ANNOTATION);
    // Ignored since v1.19 (the fields replaced it): both sides must ignore it.
    if (change()) annotations["seccomp.security.alpha.kubernetes.io/pod"] = "unconfined";
    const kind = pick(rng, POD_SPEC_KINDS);
    const pod = { metadata: Object.keys(annotations).length > 0 ? { annotations } : undefined, spec };
    out.push({ kind, manifest: inKind(kind, pod, `case-${i}`) });
  }
  return out;
}
