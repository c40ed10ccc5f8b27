/**
 * CrossGuard policy pack for k8s-netplat. Run it with
 *   pulumi preview --policy-pack policy-pack --policy-pack-config policy-pack/config/<stack>.json
 * Enforcement levels and allow-lists per stack live in policy-pack/config/*.json.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("k8s-netplat", {
  description:
    "Security and operability rules for the k8s-netplat Kubernetes networking platform: the Pod Security Standards (baseline and restricted, v1.34), pod hardening, exposure, Ingress TLS, NetworkPolicy hygiene and coverage, Istio mTLS, cert-manager issuers, HA, and reachability against the declared traffic intent.",
  enforcementLevel: "advisory",
  policies: POLICIES,
});
