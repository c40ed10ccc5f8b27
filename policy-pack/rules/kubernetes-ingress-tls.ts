import { ingressRules, ingressTls } from "../lib/ingress";
import { resourceRule } from "../lib/rule";

/** A TLS host entry covers `host` exactly, or as a one-label wildcard (`*.example.com`). */
function covers(tlsHost: string, host: string): boolean {
  if (tlsHost === host) return true;
  if (tlsHost.startsWith("*.")) {
    const rest = host.split(".").slice(1).join(".");
    return rest === tlsHost.slice(2);
  }
  return false;
}

export const ingressTlsRule = resourceRule(
  {
    name: "kubernetes-ingress-tls",
    description:
      "Every host an Ingress serves must be listed under spec.tls, with a secretName holding its certificate.",
    severity: "high",
    remediation:
      "Add the host to spec.tls[].hosts with a secretName, and let cert-manager issue it (cert-manager.io/cluster-issuer annotation)",
    enforcementLevel: "mandatory",
    kinds: ["Ingress"],
  },
  ({ manifest, report }) => {
    const tls = ingressTls(manifest);
    if (tls.length === 0) {
      report("the Ingress has no spec.tls: it serves plain HTTP");
      return;
    }
    for (const [i, t] of tls.entries()) {
      if (!t.secretName) report(`spec.tls[${i}] names no secretName`);
    }
    const tlsHosts = tls.flatMap((t) => t.hosts ?? []);
    for (const r of ingressRules(manifest)) {
      if (r.host && !tlsHosts.some((h) => covers(h, r.host!))) report(`host "${r.host}" has no TLS entry`);
    }
  },
);
