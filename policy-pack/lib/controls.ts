/**
 * The benchmark controls each rule of the pack implements, as policy tags:
 * - CIS Kubernetes Benchmark v1.10.0, section 5 (Policies): `cis:<id>`, e.g. `cis:5.2.2`,
 *   plus `cis-kubernetes-benchmark` on every rule that implements one;
 * - NSA/CISA Kubernetes Hardening Guidance v1.2 (August 2022), by section:
 *   `nsa-cisa:<section>`, e.g. `nsa-cisa:network-policies`, plus `nsa-cisa-hardening`.
 *
 * A rule is mapped only to controls it checks as the control states them, not to
 * controls it merely relates to: `kubernetes-pod-capabilities-baseline` still admits
 * added capabilities from the Pod Security Standards' baseline set, so it does not
 * implement CIS 5.2.9 ("minimize ... added capabilities"); the restricted
 * `kubernetes-pod-drop-all-capabilities` does. Rules with no entry implement no
 * control of either document (operability rules: HA, probes, DNS over TCP, ...).
 */

/** CIS Kubernetes Benchmark v1.10.0 section 5 recommendations the pack implements. */
export const CIS_CONTROLS = {
  "5.2.2": "Minimize the admission of privileged containers",
  "5.2.3": "Minimize the admission of containers wishing to share the host process ID namespace",
  "5.2.4": "Minimize the admission of containers wishing to share the host IPC namespace",
  "5.2.5": "Minimize the admission of containers wishing to share the host network namespace",
  "5.2.6": "Minimize the admission of containers with allowPrivilegeEscalation",
  "5.2.7": "Minimize the admission of root containers",
  "5.2.8": "Minimize the admission of containers with the NET_RAW capability",
  "5.2.9": "Minimize the admission of containers with added capabilities",
  "5.2.10": "Minimize the admission of containers with capabilities assigned",
  "5.2.11": "Minimize the admission of Windows HostProcess containers",
  "5.2.12": "Minimize the admission of HostPath volumes",
  "5.2.13": "Minimize the admission of containers which use HostPorts",
  "5.3.1": "Ensure that the CNI in use supports NetworkPolicies",
  "5.3.2": "Ensure that all Namespaces have NetworkPolicies defined",
  "5.7.2":
    "Ensure that the seccomp profile is set to docker/default (RuntimeDefault) in your Pod definitions",
  "5.7.4": "The default namespace should not be used",
} as const;
export type CisControl = keyof typeof CIS_CONTROLS;

/** NSA/CISA Kubernetes Hardening Guidance v1.2 sections the pack implements. */
export const NSA_CISA_SECTIONS = {
  "non-root-containers": 'Kubernetes Pod security: Non-root containers and "rootless" container engines',
  "immutable-file-systems": "Kubernetes Pod security: Immutable container file systems",
  "pod-security": "Kubernetes Pod security: Pod security enforcement",
  namespaces: "Network separation and hardening: Namespaces",
  "network-policies": "Network separation and hardening: Network policies",
  "resource-policies": "Network separation and hardening: Resource policies",
  encryption: "Network separation and hardening: Encryption",
  upgrading: "Upgrading and application security practices",
} as const;
export type NsaCisaSection = keyof typeof NSA_CISA_SECTIONS;

export interface RuleControls {
  cis?: readonly CisControl[];
  nsaCisa?: readonly NsaCisaSection[];
}

/** Per rule (policy name): the controls it implements. */
export const RULE_CONTROLS: Readonly<Record<string, RuleControls>> = {
  // Pod Security Standards controls that a CIS 5.2 recommendation names one to one.
  "kubernetes-pod-no-host-process": { cis: ["5.2.11"], nsaCisa: ["pod-security"] },
  "kubernetes-pod-no-host-namespaces": { cis: ["5.2.3", "5.2.4", "5.2.5"], nsaCisa: ["pod-security"] },
  "kubernetes-pod-no-privileged": { cis: ["5.2.2"], nsaCisa: ["pod-security"] },
  "kubernetes-pod-no-host-path-volumes": { cis: ["5.2.12"], nsaCisa: ["pod-security"] },
  "kubernetes-pod-no-host-port": { cis: ["5.2.13"], nsaCisa: ["pod-security"] },
  "kubernetes-pod-no-privilege-escalation": { cis: ["5.2.6"], nsaCisa: ["pod-security"] },
  // runAsNonRoot: true, and no runAsUser 0: the two halves of "no root containers".
  "kubernetes-pod-run-as-non-root": { cis: ["5.2.7"], nsaCisa: ["non-root-containers"] },
  "kubernetes-pod-run-as-non-root-user": { cis: ["5.2.7"], nsaCisa: ["non-root-containers"] },
  // drop ALL (so NET_RAW too), add at most NET_BIND_SERVICE.
  "kubernetes-pod-drop-all-capabilities": { cis: ["5.2.8", "5.2.9", "5.2.10"], nsaCisa: ["pod-security"] },
  // RuntimeDefault or Localhost required; the baseline rule only forbids Unconfined.
  "kubernetes-pod-seccomp-restricted": { cis: ["5.7.2"], nsaCisa: ["pod-security"] },
  "kubernetes-pod-read-only-root-filesystem": { nsaCisa: ["immutable-file-systems"] },
  "kubernetes-pod-resources": { nsaCisa: ["resource-policies"] },
  "kubernetes-no-default-namespace": { cis: ["5.7.4"], nsaCisa: ["namespaces"] },
  // NetworkPolicies: every namespace and workload covered, enforced by the CNI, no allow-all.
  "kubernetes-namespace-default-deny": { cis: ["5.3.2"], nsaCisa: ["network-policies"] },
  "kubernetes-workload-networkpolicy-coverage": { cis: ["5.3.2"], nsaCisa: ["network-policies"] },
  "kubernetes-networkpolicy-enforced-by-cni": { cis: ["5.3.1"], nsaCisa: ["network-policies"] },
  "kubernetes-networkpolicy-no-allow-all": { nsaCisa: ["network-policies"] },
  "kubernetes-networkpolicy-no-egress-anywhere": { nsaCisa: ["network-policies"] },
  "reachability-matches-intent": { nsaCisa: ["network-policies"] },
  // Traffic encrypted in transit: TLS at the ingress, mutual TLS in the mesh.
  "kubernetes-ingress-tls": { nsaCisa: ["encryption"] },
  "kubernetes-ingress-ssl-redirect": { nsaCisa: ["encryption"] },
  "istio-mesh-strict-mtls": { nsaCisa: ["encryption"] },
  "istio-peerauthentication-strict": { nsaCisa: ["encryption"] },
  // Egress by name: nothing leaves the mesh to a host its registry does not name.
  "istio-mesh-registry-only": { nsaCisa: ["network-policies"] },
  // A controller that gets no more security fixes.
  "kubernetes-ingress-retired-ingress-nginx": { nsaCisa: ["upgrading"] },
};

export const CIS_TAG = "cis-kubernetes-benchmark";
export const NSA_CISA_TAG = "nsa-cisa-hardening";

/** The tags a rule's controls give it (empty for a rule that implements none). */
export function controlTags(rule: string): string[] {
  const c = RULE_CONTROLS[rule];
  if (!c) return [];
  const cis = c.cis ?? [];
  const nsa = c.nsaCisa ?? [];
  return [
    ...(cis.length > 0 ? [CIS_TAG, ...cis.map((id) => `cis:${id}`)] : []),
    ...(nsa.length > 0 ? [NSA_CISA_TAG, ...nsa.map((s) => `nsa-cisa:${s}`)] : []),
  ];
}
