import { resourceRule } from "../lib/rule";

/** externalIPs let any Service author capture traffic for an arbitrary IP (CVE-2020-8554). */
export const serviceNoExternalIps = resourceRule(
  {
    name: "kubernetes-service-no-external-ips",
    description:
      "Services must not set spec.externalIPs: any namespace could intercept traffic to those addresses (CVE-2020-8554).",
    severity: "high",
    remediation:
      "Remove spec.externalIPs; expose the Service through the ingress controller or an allow-listed LoadBalancer",
    enforcementLevel: "mandatory",
    kinds: ["Service"],
  },
  ({ manifest, report }) => {
    const ips = manifest.spec?.externalIPs;
    if (Array.isArray(ips) && ips.length > 0) report(`the Service sets externalIPs ${ips.join(", ")}`);
  },
);
