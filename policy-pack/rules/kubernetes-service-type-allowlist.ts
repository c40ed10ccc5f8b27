import { matchesAny, resourceRule } from "../lib/rule";

export interface ServiceTypeConfig {
  /** `namespace/name` patterns of Services allowed to be LoadBalancer or NodePort. */
  allowedExposedServices: string[];
}

/** The ingress controller (either NGINX chart names it `<release>-controller`) and the Istio ingress gateway. */
export const DEFAULT_EXPOSED_SERVICES = [
  "ingress-nginx/*-controller",
  "nginx-ingress/*-controller",
  "istio-ingress/*",
  "istio-system/istio-ingress*",
];

export const serviceTypeAllowlist = resourceRule<ServiceTypeConfig>(
  {
    name: "kubernetes-service-type-allowlist",
    description:
      "Only allow-listed Services (the ingress controller, the Istio ingress gateway) may be of type LoadBalancer or NodePort; everything else is reached through them.",
    severity: "high",
    remediation:
      "Make the Service type ClusterIP and route to it through the ingress controller or Istio gateway, or add it to allowedExposedServices in the stack's policy config",
    enforcementLevel: "mandatory",
    kinds: ["Service"],
    config: {
      allowedExposedServices: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_EXPOSED_SERVICES,
        description: "namespace/name patterns (* wildcard) of Services that may be LoadBalancer or NodePort.",
      },
    },
  },
  ({ manifest, namespace, config, report }) => {
    const type = manifest.spec?.type;
    if (type !== "LoadBalancer" && type !== "NodePort") return;
    if (!matchesAny(config.allowedExposedServices, namespace, manifest.metadata.name ?? "")) {
      report(`Service type ${type} exposes ${namespace}/${manifest.metadata.name} outside the cluster`);
    }
  },
);
