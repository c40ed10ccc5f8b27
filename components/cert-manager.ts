/**
 * cert-manager through @pulumi/kubernetes-cert-manager (a Helm Release that waits for the
 * webhook to be ready) or, with `certificates.installer: chart`, as a rendered chart
 * like the other add-ons; then the platform's ClusterIssuers. Planning: lib/addons/cert-manager.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import { mergeValues } from "../lib/merge";
import { installChart } from "./helm";
import {
  CERT_MANAGER_NAMESPACE,
  certManagerRelease,
  certManagerValues,
  clusterIssuerName,
  clusterIssuers,
} from "../lib/addons/cert-manager";

export interface CertManagerArgs {
  cluster: ClusterConfig;
  /** `certificates.*` (issuer, acmeEmail), `charts.certManager`, and `values.certManager` (passed to Helm as-is). */
  platform: PlatformConfig;
  /**
   * What ACME HTTP-01 challenges travel through: the ingress controller component (its
   * IngressClass or Gateway must exist for the solver). Default: none.
   */
  ingress?: pulumi.Input<pulumi.Resource>;
}

export class CertManager extends pulumi.ComponentResource {
  /** The ClusterIssuer apps use. */
  public readonly clusterIssuer: string;
  public readonly namespace: string;
  /** The installation: the Helm Release component, or the rendered chart (`certificates.installer`). */
  public readonly release: certmanager.CertManager | k8s.helm.v4.Chart;
  /** Issuers (and the CA Certificate for selfsigned), in creation order. */
  public readonly issuers: k8s.apiextensions.CustomResource[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:certificates:CertManager", name, {}, opts);
    const { platform } = args;
    this.clusterIssuer = clusterIssuerName(platform);
    this.namespace = CERT_MANAGER_NAMESPACE;

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: CERT_MANAGER_NAMESPACE } },
      { parent: this },
    );
    const values = mergeValues(certManagerValues(platform), platform.values.certManager);
    if (platform.certificates.installer === "chart") {
      this.release = installChart(
        `${name}-chart`,
        { key: "certManager", namespace: CERT_MANAGER_NAMESPACE, values, platform },
        { parent: this, dependsOn: [ns] },
      );
    } else {
      const release = certManagerRelease(platform);
      this.release = new certmanager.CertManager(
        `${name}-release`,
        {
          installCRDs: true,
          helmOptions: {
            chart: release.chart,
            version: release.version,
            repositoryOpts: release.repositoryOpts,
            namespace: release.namespace,
            values,
          },
        },
        { parent: this, dependsOn: [ns] },
      );
    }

    // Every issuer waits for the release: its CRDs and the webhook that validates them.
    const deps: pulumi.Input<pulumi.Resource>[] = [this.release, ...(args.ingress ? [args.ingress] : [])];
    this.issuers = [];
    for (const obj of clusterIssuers(platform)) {
      const previous = this.issuers[this.issuers.length - 1];
      this.issuers.push(
        new k8s.apiextensions.CustomResource(`${name}-${obj.kind.toLowerCase()}-${obj.metadata.name}`, obj, {
          parent: this,
          dependsOn: previous ? [...deps, previous] : deps,
        }),
      );
    }

    this.registerOutputs({ clusterIssuer: this.clusterIssuer, namespace: this.namespace });
  }
}
