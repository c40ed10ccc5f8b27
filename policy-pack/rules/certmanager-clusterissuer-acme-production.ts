import { isRecord } from "../lib/resource-manifest";
import { resourceRule } from "../lib/rule";

export const LETSENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";

export interface AcmeConfig {
  allowedServers: string[];
}

export const clusterIssuerAcmeProduction = resourceRule<AcmeConfig>(
  {
    name: "certmanager-clusterissuer-acme-production",
    description:
      "cert-manager ACME (Cluster)Issuers must use a production ACME server (Let's Encrypt production by default), not staging, whose certificates browsers do not trust.",
    severity: "medium",
    remediation: `Set spec.acme.server to ${LETSENCRYPT_PRODUCTION} (or add your CA's production URL to allowedServers)`,
    enforcementLevel: "mandatory",
    kinds: ["ClusterIssuer", "Issuer"],
    groups: ["cert-manager.io"],
    config: {
      allowedServers: {
        type: "array",
        items: { type: "string" },
        default: [LETSENCRYPT_PRODUCTION],
        description: "ACME directory URLs accepted as production.",
      },
    },
  },
  ({ manifest, config, report }) => {
    const acme = manifest.spec?.acme;
    if (!isRecord(acme)) return;
    const server = typeof acme.server === "string" ? acme.server : "";
    if (!config.allowedServers.includes(server)) {
      const staging = /staging/i.test(server) ? " (a staging server)" : "";
      report(`spec.acme.server is "${server}"${staging}`);
    }
  },
);
