/**
 * The whole platform on one cluster, composed in readiness order:
 *
 *   Cni ─┬─> Istio ──┬─> IngressController ─┐
 *        ├─> CertManager ───────────────────┼─> ShopApp (policies first, then workloads)
 *        ├─> Observability                  │
 *        └─> Submariner join ───────────────┘ (ServiceExports)
 *
 * Every add-on's pods need a pod network, so everything waits for the CNI; pods that
 * should get a sidecar must not start before Istio's injection webhook exists.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import { ResolvedApp } from "../lib/intent";
import { clusterView, exportedServices } from "../lib/placement";
import { planShopApp } from "../lib/shop-plan";
import { appIngress } from "../lib/addons/ingress";
import { ACME_SOLVER_LABEL, clusterIssuerName } from "../lib/addons/cert-manager";
import { prometheusPeer } from "../lib/addons/observability";
import { globalCidrFor, serviceExport } from "../lib/addons/submariner";
import { CertManager } from "./cert-manager";
import { Cni } from "./cni";
import { IngressController } from "./ingress";
import { Istio } from "./istio";
import { Observability } from "./observability";
import { ShopApp } from "./shop-app";
import { SubmarinerJoin } from "./submariner";
import type { BrokerConnection } from "../lib/addons/submariner";

export interface PlatformArgs {
  cluster: ClusterConfig;
  platform: PlatformConfig;
  /** The app with its traffic intent resolved (lib/intent.ts). */
  app: ResolvedApp;
  /** Where this cluster joins the Submariner broker; absent for single-cluster stacks. */
  broker?: BrokerConnection<pulumi.Output<string>>;
  /** IPsec pre-shared key for Submariner's libreswan cable driver (a Pulumi secret). */
  ipsecPsk?: pulumi.Input<string>;
}

export class Platform extends pulumi.ComponentResource {
  public readonly cni: Cni;
  public readonly istio?: Istio;
  public readonly certManager: CertManager;
  public readonly ingress: IngressController;
  public readonly observability?: Observability;
  public readonly submariner?: SubmarinerJoin;
  public readonly app: ShopApp;

  constructor(
    name: string,
    args: PlatformArgs,
    opts: pulumi.ComponentResourceOptions & { provider: k8s.Provider },
  ) {
    super("k8s-netplat:platform:Platform", name, {}, opts);
    const { cluster, platform, app } = args;
    const child = (dependsOn: pulumi.Resource[]) => ({ parent: this, dependsOn });

    this.cni = new Cni(`${name}-cni`, { cluster, platform }, child([]));
    this.istio = platform.istio.enabled
      ? new Istio(`${name}-istio`, { cluster, platform }, child([this.cni]))
      : undefined;
    const mesh = this.istio ? [this.istio] : [];
    this.certManager = new CertManager(`${name}-cert-manager`, { cluster, platform }, child([this.cni]));
    this.ingress = new IngressController(
      `${name}-ingress`,
      { cluster, platform, mesh: this.istio },
      child([this.cni, ...mesh]),
    );
    this.observability = platform.observability.enabled
      ? new Observability(`${name}-observability`, { cluster, platform }, child([this.cni, ...mesh]))
      : undefined;
    this.submariner = args.broker
      ? new SubmarinerJoin(
          `${name}-submariner`,
          { cluster, platform, broker: args.broker, ipsecPsk: args.ipsecPsk },
          child([this.cni]),
        )
      : undefined;

    const view = clusterView(platform, app, cluster.name, (c) =>
      globalCidrFor(
        platform,
        platform.clusters.findIndex((k) => k.name === c.name),
      ),
    );
    const plan = planShopApp(app, view, {
      replicas: platform.app.replicas,
      autoscaling: platform.app.autoscaling,
      podDisruptionBudget: platform.app.podDisruptionBudget,
      namespaceLabels: this.istio ? this.istio.injectionLabels : {},
      policy: {
        ingress: this.ingress.peer,
        mesh: platform.istio.enabled
          ? { namespace: platform.istio.rootNamespace, trustDomain: platform.istio.trustDomain }
          : undefined,
        acmeSolver:
          platform.certificates.issuer === "selfsigned"
            ? undefined
            : { podLabels: ACME_SOLVER_LABEL, port: 8089 },
        prometheus:
          platform.observability.enabled && platform.observability.prometheus ? prometheusPeer() : undefined,
      },
    });
    const frontend = app.edges.find((e) => e.source.kind === "ingress-controller");
    const ingressObjects =
      frontend && frontend.destination.kind === "service" && view.local.has(frontend.destination.name)
        ? appIngress({
            platform,
            host: platform.app.host,
            namespace: frontend.destination.namespace,
            service: frontend.destination.name,
            port: frontend.port,
            tlsSecretName: `${frontend.destination.name}-tls`,
            clusterIssuer: clusterIssuerName(platform),
          })
        : [];
    const exportObjects = this.submariner
      ? exportedServices(platform, app, cluster.name).map((s) => {
          const svc = app.spec.services.find((x) => x.name === s)!;
          return serviceExport(s, svc.namespace ?? app.spec.namespace);
        })
      : [];
    this.app = new ShopApp(
      `${name}-shop`,
      {
        plan,
        prefix: name,
        mesh: this.istio,
        ingress: { objects: ingressObjects, dependsOn: [this.ingress, this.certManager] },
        exports: { objects: exportObjects, dependsOn: this.submariner ? [this.submariner] : [] },
      },
      child([this.cni, this.certManager, this.ingress, ...mesh]),
    );
    this.registerOutputs({ namespaces: this.app.namespaces });
  }
}
