/**
 * The whole platform on one cluster, composed in readiness order:
 *
 *   Cni ──> Istio ──> IngressController ──> CertManager (issuers) ──┐
 *    ├──> Observability                                               ├──> ShopApp
 *    └──> Submariner join (ServiceExports) ───────────────────────────┘
 *
 * With one mesh across clusters (istio.oneMesh), istiod also waits for cert-manager's
 * installation, which issues its intermediate CA into `cacerts` (components/mesh.ts).
 *
 * ShopApp itself creates namespaces, then policies, then workloads.
 *
 * Every add-on's pods need a pod network, so everything waits for the CNI; pods that
 * should get a sidecar must not start before Istio's injection webhook exists.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import { ResolvedApp } from "../lib/intent";
import { planCluster } from "../lib/cluster-plan";
import { CertManager } from "./cert-manager";
import { Cni } from "./cni";
import { IngressController } from "./ingress";
import { Istio } from "./istio";
import { Observability } from "./observability";
import { Alerts } from "./alerts";
import { ShopApp } from "./shop-app";
import { SubmarinerJoin } from "./submariner";
import { createObject } from "./create-object";
import type { BrokerConnection } from "../lib/addons/submariner";
import type { MeshRootCa } from "../lib/addons/mesh";

export interface PlatformArgs {
  cluster: ClusterConfig;
  platform: PlatformConfig;
  /** The app with its traffic intent resolved (lib/intent/). */
  app: ResolvedApp;
  /** Where this cluster joins the Submariner broker; absent for single-cluster stacks. */
  broker?: BrokerConnection<pulumi.Output<string>>;
  /** IPsec pre-shared key for Submariner's libreswan cable driver (a Pulumi secret). */
  ipsecPsk?: pulumi.Input<string>;
  /** Grafana's admin password and Kiali's signing key (config secrets, lib/stack-secrets.ts). */
  /**
   * The mesh root CA (istio.oneMesh; the config secret `k8s-netplat:meshRootCa`, parsed),
   * a secret Output. Given, this cluster's istiod signs with an intermediate of it.
   */
  meshRootCa?: pulumi.Output<MeshRootCa>;
  observabilitySecrets?: {
    grafanaAdminPassword?: pulumi.Input<string>;
    kialiSigningKey?: pulumi.Input<string>;
  };
}

export class Platform extends pulumi.ComponentResource {
  public readonly cni: Cni;
  public readonly istio?: Istio;
  public readonly certManager: CertManager;
  public readonly ingress: IngressController;
  public readonly observability?: Observability;
  public readonly alerts?: Alerts;
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
    // ACME HTTP-01 challenges are answered through the ingress controller's class, which
    // comes after Istio; cert-manager itself comes first, since with one mesh across
    // clusters it issues istiod's CA. Its issuers wait for the ingress controller.
    let ingressCreated!: (r: pulumi.Resource) => void;
    const ingressReady = new Promise<pulumi.Resource>((resolve) => (ingressCreated = resolve));
    this.certManager = new CertManager(
      `${name}-cert-manager`,
      { cluster, platform, ingress: ingressReady },
      child([this.cni]),
    );
    this.istio = platform.istio.enabled
      ? new Istio(
          `${name}-istio`,
          {
            cluster,
            platform,
            meshTrust: args.meshRootCa
              ? { rootCa: args.meshRootCa, certManager: this.certManager.release }
              : undefined,
          },
          child([this.cni]),
        )
      : undefined;
    const mesh = this.istio ? [this.istio] : [];
    this.ingress = new IngressController(
      `${name}-ingress`,
      { cluster, platform, mesh: this.istio },
      // ingress-nginx's admission webhook certificate is a cert-manager object (its chart's).
      child([
        this.cni,
        ...mesh,
        ...(platform.ingress.controller === "ingress-nginx" ? [this.certManager.release] : []),
      ]),
    );
    ingressCreated(this.ingress);
    this.observability = platform.observability.enabled
      ? new Observability(
          `${name}-observability`,
          { cluster, platform, ...args.observabilitySecrets },
          // The chart's admission webhook certificates are cert-manager objects.
          child([this.cni, this.certManager.release, ...mesh]),
        )
      : undefined;
    // PrometheusRules, PodMonitors and dashboards need the operator's CRDs and Grafana's namespace.
    this.alerts = this.observability
      ? new Alerts(
          `${name}-alerts`,
          { platform, app, cluster: cluster.name, observability: this.observability },
          child([this.observability]),
        )
      : undefined;
    this.submariner = args.broker
      ? new SubmarinerJoin(
          `${name}-submariner`,
          { cluster, platform, broker: args.broker, ipsecPsk: args.ipsecPsk },
          child([this.cni]),
        )
      : undefined;

    const planned = planCluster(platform, app, cluster.name);
    this.app = new ShopApp(
      `${name}-shop`,
      {
        plan: planned.shop,
        prefix: name,
        mesh: this.istio,
        ingress: { objects: planned.ingressObjects, dependsOn: [this.ingress, this.certManager] },
        exports: {
          objects: this.submariner ? planned.exportObjects : [],
          dependsOn: this.submariner ? [this.submariner] : [],
        },
      },
      child([this.cni, this.certManager, this.ingress, ...mesh]),
    );
    // The platform namespaces' zero-trust policies (lib/platform-intent.ts), once each
    // add-on has created its namespace.
    const addons: pulumi.Resource[] = [this.cni, this.ingress, this.certManager, ...mesh];
    if (this.observability) addons.push(this.observability);
    for (const np of planned.platformPolicies) createObject(name, np, child(addons));
    this.registerOutputs({ namespaces: this.app.namespaces });
  }
}
