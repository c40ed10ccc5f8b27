import {
  COMMUNITY_PREFIX,
  INGRESS_CLASS_SCHEMA,
  type IngressClassConfig,
  nginxControllerOf,
} from "../lib/ingress";
import { resourceRule } from "../lib/rule";

export const retiredIngressNginx = resourceRule<IngressClassConfig>(
  {
    name: "kubernetes-ingress-retired-ingress-nginx",
    description:
      "Flags Ingresses served by the community ingress-nginx controller (nginx.ingress.kubernetes.io/* annotations or a configured community class): the project was retired in March 2026 and gets no more security fixes.",
    severity: "medium",
    remediation:
      "Migrate to F5's NGINX Ingress Controller (nginx.org/* annotations, e.g. nginx.org/redirect-to-https) or to Gateway API (HTTPRoute)",
    enforcementLevel: "advisory",
    kinds: ["Ingress"],
    config: INGRESS_CLASS_SCHEMA,
  },
  ({ manifest, config, report }) => {
    if (nginxControllerOf(manifest, config) !== "community") return;
    const used = Object.keys(manifest.metadata.annotations ?? {}).filter((k) =>
      k.startsWith(COMMUNITY_PREFIX),
    );
    report(
      `the Ingress targets the community ingress-nginx controller${used.length ? ` (${used.join(", ")})` : ""}, ` +
        "which was retired in March 2026 and receives no more security fixes",
    );
  },
);
