import { ingressRules } from "../lib/ingress";
import { resourceRule } from "../lib/rule";

export const ingressNoWildcardHost = resourceRule(
  {
    name: "kubernetes-ingress-no-wildcard-host",
    description:
      "Ingress rules must name an exact host: no wildcard (`*.example.com`), no empty host and no spec.defaultBackend, which answer for any name pointed at the controller.",
    severity: "medium",
    remediation: "Give every rule an explicit host (shop.example.com) and remove spec.defaultBackend",
    enforcementLevel: "mandatory",
    kinds: ["Ingress"],
  },
  ({ manifest, report }) => {
    const rules = ingressRules(manifest);
    rules.forEach((r, i) => {
      if (!r.host) report(`spec.rules[${i}] has no host: it matches every host name`);
      else if (r.host.includes("*")) report(`spec.rules[${i}] uses the wildcard host "${r.host}"`);
    });
    if (manifest.spec?.defaultBackend !== undefined)
      report("spec.defaultBackend catches requests for any host");
    if (rules.length === 0 && manifest.spec?.defaultBackend === undefined) report("the Ingress has no rules");
  },
);
