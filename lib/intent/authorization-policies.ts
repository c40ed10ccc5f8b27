/**
 * Istio AuthorizationPolicies from the resolved intent: the mesh's second line behind
 * the NetworkPolicies, by workload identity (SPIFFE principal) rather than address.
 */
import { K8sObject, platformLabels } from "../k8s-object";
import { ClusterView, localNamespaces, singleCluster } from "./cluster-view";
import { ResolvedApp, namespaceOf } from "./edges";
import { ALLOW_NOTHING_NAME, selectorFor } from "./labels";
import { IngressPeer } from "./options";

/** SPIFFE principal Istio gives a workload's service account (without the spiffe:// prefix). */
export function principal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * Istio AuthorizationPolicies: an allow-nothing policy per app namespace (any ALLOW
 * policy on a workload denies what it does not match, and an empty spec matches
 * nothing), then per destination one ALLOW listing each source's principal and port.
 */
export function compileAuthorizationPolicies(
  app: ResolvedApp,
  opts: { trustDomain: string; ingress: IngressPeer },
  view: ClusterView = singleCluster(app),
): K8sObject[] {
  const out: K8sObject[] = [];
  const local = app.spec.services.filter((s) => view.local.has(s.name));
  for (const ns of localNamespaces(app, view)) {
    out.push({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: { name: ALLOW_NOTHING_NAME, namespace: ns, labels: platformLabels("traffic-intent") },
      spec: {},
    });
  }
  for (const s of local) {
    const inbound = app.edges.filter(
      (e) => e.destination.kind === "service" && e.destination.name === s.name,
    );
    if (inbound.length === 0) continue;
    const rules = inbound.map((e) => {
      const who =
        e.source.kind === "ingress-controller"
          ? principal(opts.trustDomain, opts.ingress.namespace, opts.ingress.serviceAccount)
          : e.source.kind === "service"
            ? principal(opts.trustDomain, e.source.namespace, e.source.name)
            : undefined;
      return {
        from: [{ source: { principals: [who] } }],
        to: [{ operation: { ports: [String(e.podPort)] } }],
      };
    });
    out.push({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: {
        name: `allow-to-${s.name}`,
        namespace: namespaceOf(app.spec, s),
        labels: platformLabels("traffic-intent"),
      },
      spec: { selector: selectorFor(s.name), action: "ALLOW", rules },
    });
  }
  return out;
}
