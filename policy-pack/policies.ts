/**
 * Every policy of the pack, in one list. Kept apart from index.ts because
 * constructing the PolicyPack starts the analyzer server: tests, runPack and the
 * plain-manifest CLI import this list instead.
 */
import type { PackPolicy } from "./lib/rule";
import { clusterIssuerAcmeProduction } from "./rules/certmanager-clusterissuer-acme-production";
import { meshRegistryOnly } from "./rules/istio-mesh-registry-only";
import { meshStrictMtls } from "./rules/istio-mesh-strict-mtls";
import { peerAuthenticationStrict } from "./rules/istio-peerauthentication-strict";
import { virtualServiceNoFault } from "./rules/istio-virtualservice-no-fault";
import { deploymentHa } from "./rules/kubernetes-deployment-ha";
import { ingressNoWildcardHost } from "./rules/kubernetes-ingress-no-wildcard-host";
import { retiredIngressNginx } from "./rules/kubernetes-ingress-retired-ingress-nginx";
import { ingressSslRedirect } from "./rules/kubernetes-ingress-ssl-redirect";
import { ingressTlsRule } from "./rules/kubernetes-ingress-tls";
import { kubeProxyModeScale } from "./rules/kubernetes-kube-proxy-mode-scale";
import { namespaceDefaultDeny } from "./rules/kubernetes-namespace-default-deny";
import { networkPolicyDnsUdpTcp } from "./rules/kubernetes-networkpolicy-dns-udp-tcp";
import { networkPolicyEndPortNumeric } from "./rules/kubernetes-networkpolicy-endport-numeric";
import { networkPolicyEnforcedByCni } from "./rules/kubernetes-networkpolicy-enforced-by-cni";
import { networkPolicyExplicitProtocol } from "./rules/kubernetes-networkpolicy-explicit-protocol";
import { networkPolicyNoAllowAll } from "./rules/kubernetes-networkpolicy-no-allow-all";
import { networkPolicyNoEgressAnywhere } from "./rules/kubernetes-networkpolicy-no-egress-anywhere";
import { noDefaultNamespace } from "./rules/kubernetes-no-default-namespace";
import { appArmorProfile } from "./rules/kubernetes-pod-apparmor-profile";
import { capabilitiesBaseline } from "./rules/kubernetes-pod-capabilities-baseline";
import { dropAllCapabilities } from "./rules/kubernetes-pod-drop-all-capabilities";
import { imageDigest } from "./rules/kubernetes-pod-image-digest";
import { imagePinned } from "./rules/kubernetes-pod-image-pinned";
import { noHostNamespaces } from "./rules/kubernetes-pod-no-host-namespaces";
import { noHostPathVolumes } from "./rules/kubernetes-pod-no-host-path-volumes";
import { noHostPort } from "./rules/kubernetes-pod-no-host-port";
import { noHostProcess } from "./rules/kubernetes-pod-no-host-process";
import { noPrivilegeEscalation } from "./rules/kubernetes-pod-no-privilege-escalation";
import { noPrivileged } from "./rules/kubernetes-pod-no-privileged";
import { noProbeHost } from "./rules/kubernetes-pod-no-probe-host";
import { probes } from "./rules/kubernetes-pod-probes";
import { procMount } from "./rules/kubernetes-pod-proc-mount";
import { readOnlyRootFilesystem } from "./rules/kubernetes-pod-read-only-root-filesystem";
import { resources } from "./rules/kubernetes-pod-resources";
import { runAsNonRoot } from "./rules/kubernetes-pod-run-as-non-root";
import { runAsNonRootUser } from "./rules/kubernetes-pod-run-as-non-root-user";
import { safeSysctls } from "./rules/kubernetes-pod-safe-sysctls";
import { seccompBaseline } from "./rules/kubernetes-pod-seccomp-baseline";
import { seccompRestricted } from "./rules/kubernetes-pod-seccomp-restricted";
import { seLinuxOptions } from "./rules/kubernetes-pod-selinux-options";
import { volumeTypes } from "./rules/kubernetes-pod-volume-types";
import { serviceNoExternalIps } from "./rules/kubernetes-service-no-external-ips";
import { serviceTypeAllowlist } from "./rules/kubernetes-service-type-allowlist";
import { workloadNetworkPolicyCoverage } from "./rules/kubernetes-workload-networkpolicy-coverage";
import { controlTags } from "./lib/controls";
import { reachabilityMatchesIntent } from "./rules/reachability-matches-intent";

const RULES: PackPolicy[] = [
  // Pod Security Standards, baseline (lib/pss.ts)
  noHostProcess,
  noHostNamespaces,
  noPrivileged,
  capabilitiesBaseline,
  noHostPathVolumes,
  noHostPort,
  noProbeHost,
  appArmorProfile,
  seLinuxOptions,
  procMount,
  seccompBaseline,
  safeSysctls,
  // Pod Security Standards, restricted
  volumeTypes,
  noPrivilegeEscalation,
  runAsNonRoot,
  runAsNonRootUser,
  seccompRestricted,
  dropAllCapabilities,
  // Other pod and container hardening
  readOnlyRootFilesystem,
  imagePinned,
  imageDigest,
  resources,
  probes,
  noDefaultNamespace,
  // Services and Ingresses
  serviceTypeAllowlist,
  serviceNoExternalIps,
  ingressTlsRule,
  ingressSslRedirect,
  ingressNoWildcardHost,
  retiredIngressNginx,
  // NetworkPolicies
  networkPolicyNoAllowAll,
  networkPolicyNoEgressAnywhere,
  networkPolicyDnsUdpTcp,
  networkPolicyExplicitProtocol,
  networkPolicyEndPortNumeric,
  // Mesh and certificates
  peerAuthenticationStrict,
  virtualServiceNoFault,
  clusterIssuerAcmeProduction,
  // Whole stack
  deploymentHa,
  namespaceDefaultDeny,
  meshStrictMtls,
  meshRegistryOnly,
  networkPolicyEnforcedByCni,
  kubeProxyModeScale,
  workloadNetworkPolicyCoverage,
  reachabilityMatchesIntent,
];

/** Every rule, tagged with the benchmark controls it implements (lib/controls.ts). */
export const POLICIES: PackPolicy[] = RULES.map((p) => ({ ...p, tags: [...p.tags, ...controlTags(p.name)] }));

/** Every tag some rule carries, sorted: what `policy:check --tags` accepts. */
export const POLICY_TAGS: string[] = [...new Set(POLICIES.flatMap((p) => p.tags))].sort();

/** The rules carrying at least one of `tags`; throws naming unknown tags and the accepted ones. */
export function policiesTagged(tags: readonly string[]): PackPolicy[] {
  const unknown = tags.filter((t) => !POLICY_TAGS.includes(t));
  if (unknown.length > 0) {
    throw new Error(
      `unknown tag${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => `"${t}"`).join(", ")}; accepted: ${POLICY_TAGS.join(", ")}`,
    );
  }
  return POLICIES.filter((p) => p.tags.some((t) => tags.includes(t)));
}

export const POLICY_NAMES: string[] = POLICIES.map((p) => p.name);
