/**
 * Every policy of the pack, in one list. Kept apart from index.ts because
 * constructing the PolicyPack starts the analyzer server: tests, runPack and the
 * plain-manifest CLI import this list instead.
 */
import type { PackPolicy } from "./lib/rule";
import { clusterIssuerAcmeProduction } from "./rules/certmanager-clusterissuer-acme-production";
import { meshStrictMtls } from "./rules/istio-mesh-strict-mtls";
import { peerAuthenticationStrict } from "./rules/istio-peerauthentication-strict";
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
import { dropAllCapabilities } from "./rules/kubernetes-pod-drop-all-capabilities";
import { imageDigest } from "./rules/kubernetes-pod-image-digest";
import { imagePinned } from "./rules/kubernetes-pod-image-pinned";
import { noHostNamespaces } from "./rules/kubernetes-pod-no-host-namespaces";
import { noHostPort } from "./rules/kubernetes-pod-no-host-port";
import { noPrivilegeEscalation } from "./rules/kubernetes-pod-no-privilege-escalation";
import { noPrivileged } from "./rules/kubernetes-pod-no-privileged";
import { probes } from "./rules/kubernetes-pod-probes";
import { readOnlyRootFilesystem } from "./rules/kubernetes-pod-read-only-root-filesystem";
import { resources } from "./rules/kubernetes-pod-resources";
import { runAsNonRoot } from "./rules/kubernetes-pod-run-as-non-root";
import { serviceNoExternalIps } from "./rules/kubernetes-service-no-external-ips";
import { serviceTypeAllowlist } from "./rules/kubernetes-service-type-allowlist";
import { workloadNetworkPolicyCoverage } from "./rules/kubernetes-workload-networkpolicy-coverage";
import { reachabilityMatchesIntent } from "./rules/reachability-matches-intent";

export const POLICIES: PackPolicy[] = [
  // Pods and their containers
  noPrivileged,
  noPrivilegeEscalation,
  noHostNamespaces,
  noHostPort,
  runAsNonRoot,
  readOnlyRootFilesystem,
  dropAllCapabilities,
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
  clusterIssuerAcmeProduction,
  // Whole stack
  deploymentHa,
  namespaceDefaultDeny,
  meshStrictMtls,
  networkPolicyEnforcedByCni,
  kubeProxyModeScale,
  workloadNetworkPolicyCoverage,
  reachabilityMatchesIntent,
];

export const POLICY_NAMES: string[] = POLICIES.map((p) => p.name);
