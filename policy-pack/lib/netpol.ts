/** NetworkPolicy helpers shared by the resource and stack rules. */
import type { K8sManifest, NetworkPolicyPeer, NetworkPolicySpec, StringMap } from "./resource-manifest";
import { isEmptySelector, selects } from "./selectors";

export function netpolSpec(m: K8sManifest): NetworkPolicySpec {
  return (m.spec ?? {}) as NetworkPolicySpec;
}

/** policyTypes as the API server defaults them: Ingress always, Egress when egress rules exist. */
export function policyTypesOf(spec: NetworkPolicySpec): Set<"Ingress" | "Egress"> {
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) {
    return new Set(
      spec.policyTypes.filter((t): t is "Ingress" | "Egress" => t === "Ingress" || t === "Egress"),
    );
  }
  return new Set(spec.egress !== undefined ? ["Ingress", "Egress"] : ["Ingress"]);
}

/** Whether the policy's spec.podSelector selects pods labelled `labels` (same namespace assumed). */
export function policySelects(spec: NetworkPolicySpec, labels: StringMap): boolean {
  return selects(spec.podSelector, labels, true);
}

export function isAnyAddress(cidr: string | undefined): boolean {
  return cidr !== undefined && /^(0\.0\.0\.0|::)\/0$/.test(cidr.trim());
}

/** Why a peer admits everything, or undefined when it does not. */
export function allowAllPeerReason(peer: NetworkPolicyPeer, checkIpBlock: boolean): string | undefined {
  const keys = Object.keys(peer).filter((k) => (peer as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return "an empty peer {} matches everything";
  if (
    peer.namespaceSelector !== undefined &&
    peer.podSelector === undefined &&
    isEmptySelector(peer.namespaceSelector)
  ) {
    return "namespaceSelector: {} without a podSelector matches every pod in every namespace";
  }
  if (checkIpBlock && peer.ipBlock && isAnyAddress(peer.ipBlock.cidr)) {
    return `ipBlock ${peer.ipBlock.cidr} matches every address`;
  }
  return undefined;
}

/** A NetworkPolicy that denies both directions for every pod of its namespace. */
export function isDefaultDeny(spec: NetworkPolicySpec): { ingress: boolean; egress: boolean } {
  const all = isEmptySelector(spec.podSelector) || spec.podSelector === undefined;
  const types = policyTypesOf(spec);
  return {
    ingress: all && types.has("Ingress") && (spec.ingress ?? []).length === 0,
    egress: all && types.has("Egress") && (spec.egress ?? []).length === 0,
  };
}
