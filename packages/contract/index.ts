/**
 * @k8s-netplat/contract: what the platform program (lib/) and the policy pack
 * (policy-pack/) share, so neither depends on the other's folder layout and the pack
 * can be published on its own. Both package.json files reference it with `file:`.
 */
export * from "./intent-document";
export * from "./k8s-shapes";
