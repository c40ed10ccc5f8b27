/**
 * Istio: base, then istiod at the platform's revision, mesh-wide mTLS, and optionally an
 * ingress gateway. Values come from lib/addons/istio.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import {
  ISTIO_INGRESS_NAMESPACE,
  injectionLabels,
  istioBaseValues,
  istioGatewayValues,
  istioNetwork,
  istiodValues,
  meshPeerAuthentication,
} from "../lib/addons/istio";
import {
  ISTIO_EGRESS_NAMESPACE,
  egressAccessLogging,
  egressGatewayOn,
  istioEgressGatewayValues,
} from "../lib/addons/istio-egress";
import { installChart } from "./helm";
import { createObject } from "./create-object";
import { MeshTrust, ReaderCredentials, createMeshTrust, createReaderToken } from "./mesh";
import type { MeshRootCa } from "../lib/addons/mesh";

export interface IstioArgs {
  cluster: ClusterConfig;
  /** `istio.*` (revision, mtlsMode, ingressGateway, rootNamespace, trustDomain) and chart overrides. */
  platform: PlatformConfig;
  /**
   * One mesh across clusters (istio.oneMesh): the shared root CA (a secret Output) and
   * cert-manager's installation, which issues this cluster's intermediate CA into `cacerts`
   * before istiod starts. Default: none (istiod signs with its own self-signed root).
   */
  meshTrust?: { rootCa: pulumi.Output<MeshRootCa>; certManager: pulumi.Input<pulumi.Resource> };
}

export class Istio extends pulumi.ComponentResource {
  public readonly revision: string;
  public readonly rootNamespace: string;
  /** Labels an app namespace needs for sidecar injection by this revision. */
  public readonly injectionLabels: Record<string, string>;
  public readonly base: k8s.helm.v4.Chart;
  /** istiod; depend on it before creating Istio custom resources or injected workloads. */
  public readonly istiod: k8s.helm.v4.Chart;
  public readonly peerAuthentication: k8s.apiextensions.CustomResource;
  /** The ingress gateway chart, when `istio.ingressGateway`. */
  public readonly gateway?: k8s.helm.v4.Chart;
  /** The egress gateway chart, when the egress gateway is on (lib/egress-config.ts). */
  public readonly egressGateway?: k8s.helm.v4.Chart;
  /** With `meshTrust`: the root CA Secret, its issuer and the intermediate istiod signs with. */
  public readonly trust?: MeshTrust;
  /** With `meshTrust`: the reader token other clusters' istiods read this cluster with. */
  public readonly reader?: ReaderCredentials;

  constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:mesh:Istio", name, {}, opts);
    const { cluster, platform } = args;
    this.revision = platform.istio.revision;
    this.rootNamespace = platform.istio.rootNamespace;
    this.injectionLabels = injectionLabels(platform);

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: this.rootNamespace,
          labels:
            platform.clusters.length > 1
              ? { "topology.istio.io/network": istioNetwork(cluster, platform) }
              : {},
        },
      },
      { parent: this },
    );
    this.base = installChart(
      `${name}-base`,
      { key: "istioBase", namespace: this.rootNamespace, values: istioBaseValues(platform), platform },
      { parent: this, dependsOn: [ns] },
    );
    this.trust = args.meshTrust
      ? createMeshTrust(
          name,
          { cluster, istioNamespace: this.rootNamespace, namespace: ns, ...args.meshTrust },
          { parent: this },
        )
      : undefined;
    // With a shared root, istiod starts only once `cacerts` holds its intermediate: else it
    // would generate a self-signed root the other clusters do not trust.
    this.istiod = installChart(
      `${name}-istiod`,
      { key: "istiod", namespace: this.rootNamespace, values: istiodValues(cluster, platform), platform },
      { parent: this, dependsOn: [this.base, ...(this.trust ? [this.trust.certificate] : [])] },
    );
    // The reader ServiceAccount comes with base, its ClusterRole with istiod.
    this.reader = args.meshTrust
      ? createReaderToken(name, cluster.name, this.rootNamespace, this.base, !!platform.render, {
          parent: this,
        })
      : undefined;
    // The PeerAuthentication CRD comes with base; istiod's validating webhook must answer for it.
    this.peerAuthentication = new k8s.apiextensions.CustomResource(
      `${name}-mtls`,
      meshPeerAuthentication(platform),
      { parent: this, dependsOn: [this.istiod] },
    );

    if (platform.istio.ingressGateway) {
      const gwNs = new k8s.core.v1.Namespace(
        `${name}-ingress-ns`,
        { metadata: { name: ISTIO_INGRESS_NAMESPACE, labels: this.injectionLabels } },
        { parent: this },
      );
      // The gateway's pod is built by istiod's injector (template "gateway"), so istiod must be up first.
      this.gateway = installChart(
        `${name}-gateway`,
        {
          key: "istioGateway",
          namespace: ISTIO_INGRESS_NAMESPACE,
          values: istioGatewayValues(platform),
          platform,
        },
        { parent: this, dependsOn: [gwNs, this.istiod] },
      );
    }

    if (egressGatewayOn(platform)) this.egressGateway = this.installEgressGateway(name, platform);

    this.registerOutputs({
      revision: this.revision,
      rootNamespace: this.rootNamespace,
      injectionLabels: this.injectionLabels,
    });
  }

  /**
   * The egress gateway in its own namespace (the gateway chart again, as a second release),
   * and its access log. Its pod is built by istiod's injector, so istiod comes first; the
   * Telemetry resource needs Istio's CRDs and its namespace.
   */
  private installEgressGateway(name: string, platform: PlatformConfig): k8s.helm.v4.Chart {
    const ns = new k8s.core.v1.Namespace(
      `${name}-egress-ns`,
      { metadata: { name: ISTIO_EGRESS_NAMESPACE, labels: this.injectionLabels } },
      { parent: this },
    );
    const chart = installChart(
      `${name}-egress-gateway`,
      {
        key: "istioGateway",
        namespace: ISTIO_EGRESS_NAMESPACE,
        values: istioEgressGatewayValues(platform),
        platform,
      },
      { parent: this, dependsOn: [ns, this.istiod] },
    );
    createObject(name, egressAccessLogging(), { parent: this, dependsOn: [ns, this.istiod] });
    return chart;
  }
}
