/**
 * The cluster's CNI (Calico through tigera-operator, Cilium, or Flannel) and the
 * platform profile ConfigMap the policy pack reads. What to install is decided in
 * lib/addons/cni.ts; this component only creates the resources.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import {
  CniProvider,
  KubeProxyConfiguration,
  cniChart,
  enforcesNetworkPolicy,
  kubeProxyConfiguration,
  platformProfileConfigMap,
} from "../lib/addons/cni";
import { installChart } from "./helm";

export interface CniArgs {
  /** The cluster whose network plan (pod range, kube-proxy mode, API server) the CNI follows. */
  cluster: ClusterConfig;
  /** Chart sources and value overrides (`charts.<key>`, `values.<key>`), Istio and Hubble toggles. */
  platform: PlatformConfig;
}

export class Cni extends pulumi.ComponentResource {
  public readonly provider: CniProvider;
  /** False for Flannel: NetworkPolicies are then accepted by the API server but not enforced. */
  public readonly enforcesNetworkPolicy: boolean;
  /** Namespace the CNI chart is installed in. */
  public readonly namespace: string;
  public readonly chart: k8s.helm.v4.Chart;
  /**
   * kube-proxy's configuration for bootstrap tooling (kubeadm / Cluster API), null with
   * Cilium's kube-proxy replacement. Plain data: no resource is created for it.
   */
  public readonly kubeProxyConfiguration: KubeProxyConfiguration | null;
  /** The `netplat-platform` ConfigMap in kube-system. */
  public readonly profile: k8s.core.v1.ConfigMap;

  constructor(name: string, args: CniArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:network:Cni", name, {}, opts);
    const plan = cniChart(args.cluster, args.platform);
    this.provider = args.cluster.cni;
    this.enforcesNetworkPolicy = enforcesNetworkPolicy(args.cluster.cni);
    this.namespace = plan.namespace;
    this.kubeProxyConfiguration = kubeProxyConfiguration(args.cluster);

    const ns = plan.createNamespace
      ? new k8s.core.v1.Namespace(
          `${name}-ns`,
          { metadata: { name: plan.namespace, labels: plan.namespaceLabels } },
          { parent: this },
        )
      : undefined;
    this.chart = installChart(
      `${name}-${args.cluster.cni}`,
      { key: plan.key, namespace: plan.namespace, values: plan.values, platform: args.platform },
      { parent: this, dependsOn: ns ? [ns] : [] },
    );

    const profile = platformProfileConfigMap(args.cluster, args.platform);
    this.profile = new k8s.core.v1.ConfigMap(
      `${name}-profile`,
      { metadata: profile.metadata, data: profile.data as Record<string, string> },
      { parent: this },
    );

    this.registerOutputs({
      provider: this.provider,
      enforcesNetworkPolicy: this.enforcesNetworkPolicy,
      namespace: this.namespace,
      kubeProxyConfiguration: this.kubeProxyConfiguration,
    });
  }
}
