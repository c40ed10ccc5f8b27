import { INGRESS_CLASS_SCHEMA, type IngressClassConfig, nginxControllerOf } from "../lib/ingress";
import { resourceRule } from "../lib/rule";

const COMMUNITY = "nginx.ingress.kubernetes.io/ssl-redirect";
const F5 = "nginx.org/redirect-to-https";
const F5_LEGACY = "ingress.kubernetes.io/ssl-redirect";

export const ingressSslRedirect = resourceRule<IngressClassConfig>(
  {
    name: "kubernetes-ingress-ssl-redirect",
    description:
      'NGINX Ingresses must redirect HTTP to HTTPS explicitly: `nginx.ingress.kubernetes.io/ssl-redirect: "true"` for the community controller, `nginx.org/redirect-to-https: "true"` for F5 NGINX Ingress Controller.',
    severity: "medium",
    remediation: `Set the annotation ${COMMUNITY}: "true" (community ingress-nginx) or ${F5}: "true" (F5 NGINX Ingress Controller)`,
    enforcementLevel: "mandatory",
    kinds: ["Ingress"],
    config: INGRESS_CLASS_SCHEMA,
  },
  ({ manifest, config, report }) => {
    const a = manifest.metadata.annotations ?? {};
    switch (nginxControllerOf(manifest, config)) {
      case "community":
        if (a[COMMUNITY] !== "true") {
          report(
            a[COMMUNITY] === undefined ? `no ${COMMUNITY} annotation` : `${COMMUNITY} is "${a[COMMUNITY]}"`,
            `Set ${COMMUNITY}: "true" (a controller-wide ssl-redirect: false would otherwise turn redirects off)`,
          );
        }
        break;
      case "f5":
        if (a[F5] !== "true") report(`no ${F5}: "true" annotation`, `Set ${F5}: "true"`);
        if (a[F5_LEGACY] === "false")
          report(`${F5_LEGACY} is "false"`, `Remove ${F5_LEGACY} or set it to "true"`);
        break;
      case "unknown-nginx":
        if (a[COMMUNITY] !== "true" && a[F5] !== "true") {
          report(
            "the Ingress sets no HTTP-to-HTTPS redirect annotation (and its class does not tell which NGINX controller serves it)",
          );
        }
        break;
      case "other":
        break;
    }
  },
);
