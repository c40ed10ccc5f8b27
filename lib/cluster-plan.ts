/**
 * What the app needs on one cluster, decided purely from config: the cluster's view
 * of placement, the shop plan (workloads, policies, intent), the objects that route
 * outside traffic in, and the ServiceExports other clusters consume. The Platform
 * component creates these; scripts/topology.ts analyses them without Pulumi.
 */
import { PlatformConfig } from "./config";
import {
  ClusterView,
  PolicyOptions,
  ResolvedApp,
  intentConfigMap,
  intentDocument,
  namespaceOf,
} from "./intent";
import { K8sObject } from "./k8s-object";
import type { ExternalSpec } from "./app-spec";
import { clusterView, exportedServices, remoteCallees } from "./placement";
import { oneMesh } from "./cross-cluster";
import { ShopPlan, planShopApp } from "./shop-app-plan";
import { compileTraffic, serviceObjects, weightEdgeRoutes } from "./traffic";
import { ACME_SOLVER_LABEL, clusterIssuerName } from "./addons/cert-manager";
import { appIngress, ingressPeer } from "./addons/ingress";
import { injectionLabels } from "./addons/istio";
import { type EgressCaller, egressGatewayOn, egressGatewayPeer, egressRouting } from "./addons/istio-egress";
import { jaegerPeer, prometheusPeer, tracingEnabled } from "./addons/observability";
import { globalCidrFor, serviceExport } from "./addons/submariner";
import { compilePlatformPolicies, platformIntent, withPlatformIntent } from "./platform-intent";

export interface ClusterPlan {
  view: ClusterView;
  policy: PolicyOptions;
  shop: ShopPlan;
  ingressObjects: K8sObject[];
  exportObjects: K8sObject[];
  /** Zero-trust NetworkPolicies of the platform namespaces (lib/platform-intent.ts); empty when off. */
  platformPolicies: K8sObject[];
}

/** The port cert-manager's HTTP-01 solver pods listen on. */
const ACME_SOLVER_PORT = 8089;

export function policyOptions(platform: PlatformConfig): PolicyOptions {
  return {
    ingress: ingressPeer(platform),
    mesh: platform.istio.enabled
      ? { namespace: platform.istio.rootNamespace, trustDomain: platform.istio.trustDomain }
      : undefined,
    acmeSolver:
      platform.certificates.issuer === "selfsigned"
        ? undefined
        : { podLabels: ACME_SOLVER_LABEL, port: ACME_SOLVER_PORT },
    prometheus:
      platform.observability.enabled && platform.observability.prometheus ? prometheusPeer() : undefined,
    tracing: tracingEnabled(platform) ? jaegerPeer() : undefined,
    egressGateway: egressGatewayOn(platform) ? egressGatewayPeer() : undefined,
  };
}

/** The external hosts some service on this cluster calls, in declaration order. */
export function calledExternals(app: ResolvedApp, view: ClusterView): ExternalSpec[] {
  return app.spec.externals.filter((x) =>
    app.edges.some(
      (e) => e.destination.name === x.name && e.source.kind === "service" && view.local.has(e.source.name),
    ),
  );
}

/** The services on this cluster that call an external host, with their identity. */
export function egressCallers(app: ResolvedApp, view: ClusterView): EgressCaller[] {
  return app.edges.flatMap((e) =>
    e.source.kind === "service" && e.destination.kind === "external" && view.local.has(e.source.name)
      ? [{ external: e.destination.name, namespace: e.source.namespace, serviceAccount: e.source.name }]
      : [],
  );
}

export function planCluster(platform: PlatformConfig, app: ResolvedApp, clusterName: string): ClusterPlan {
  const view = clusterView(platform, app, clusterName, (c) =>
    globalCidrFor(
      platform,
      platform.clusters.findIndex((k) => k.name === c.name),
    ),
  );
  const policy = policyOptions(platform);
  const callees = oneMesh(platform) ? remoteCallees(platform, app, clusterName) : [];
  const shop = planShopApp(app, view, {
    replicas: platform.app.replicas,
    autoscaling: platform.app.autoscaling,
    podDisruptionBudget: platform.app.podDisruptionBudget,
    namespaceLabels: platform.istio.enabled ? injectionLabels(platform) : {},
    policy,
    // One mesh: the caller's cluster defines each remote callee's Service, so the caller
    // dials <svc>.<ns>.svc.cluster.local and its sidecar routes to the endpoints istiod
    // learned from the other clusters (Istio merges a host's endpoints across clusters).
    remoteCallees: callees,
  });
  // The platform namespaces' flows join the app's intent document, so the pack checks both.
  const platformFlows = platformIntent(platform, app, view);
  if (platformFlows) {
    shop.intent = intentConfigMap(withPlatformIntent(intentDocument(app, policy, view), platformFlows));
  }
  shop.traffic = compileTraffic(app, view, platform.app.traffic, new Set(callees.map((c) => c.service)));
  shop.egress = egressRouting(platform, calledExternals(app, view), egressCallers(app, view));
  const front = app.edges.find((e) => e.source.kind === "ingress-controller");
  const edgeObjects =
    front && front.destination.kind === "service" && view.local.has(front.destination.name)
      ? appIngress({
          platform,
          host: platform.app.host,
          namespace: front.destination.namespace,
          service: front.destination.name,
          port: front.port,
          tlsSecretName: `${front.destination.name}-tls`,
          clusterIssuer: clusterIssuerName(platform),
        })
      : [];
  // gateway-api: the Istio gateway follows the HTTPRoute, so versions are weighted there.
  const ingressObjects =
    platform.ingress.controller === "gateway-api"
      ? weightEdgeRoutes(edgeObjects, app, platform.app.traffic)
      : edgeObjects;
  const exportObjects = platform.submariner
    ? exportedServices(platform, app, clusterName).map((s) => {
        const svc = app.spec.services.find((x) => x.name === s)!;
        return serviceExport(s, namespaceOf(app.spec, svc));
      })
    : [];
  const platformPolicies = platformFlows ? compilePlatformPolicies(platformFlows) : [];
  return { view, policy, shop, ingressObjects, exportObjects, platformPolicies };
}

/** Every object of a cluster plan, flattened: what ShopApp creates, and the platform namespaces' policies. */
export function clusterPlanObjects(p: ClusterPlan): K8sObject[] {
  return [
    ...p.shop.namespaces,
    ...p.shop.networkPolicies,
    ...p.shop.authorizationPolicies,
    p.shop.intent,
    ...(p.shop.traffic ?? []),
    ...(p.shop.egress ?? []),
    ...p.shop.services.flatMap((s) => serviceObjects(s.spec, s.options)),
    ...p.shop.meshServices,
    ...p.shop.externalNames,
    ...p.ingressObjects,
    ...p.exportObjects,
    ...p.platformPolicies,
  ];
}
