/**
 * Observability: kube-prometheus-stack and Jaeger in `monitoring`, Kiali in Istio's root
 * namespace. Creates nothing unless `observability.enabled`. Planning: lib/addons/observability.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import {
  GRAFANA_ADMIN_SECRET,
  MONITORING_NAMESPACE,
  jaegerValues,
  kialiValues,
  kubePrometheusStackValues,
  prometheusPeer,
} from "../lib/addons/observability";
import { kialiSigningKeySecret, kialiSigningKeyValues } from "../lib/addons/observability-secrets";
import { mergeValues } from "../lib/merge";
import { ObservabilityUrls, observabilityUrls } from "../lib/observability-urls";
import { installChart } from "./helm";

export interface ObservabilityArgs {
  cluster: ClusterConfig;
  /** `observability.*` toggles, `istio.rootNamespace` (Kiali's home), chart overrides. */
  platform: PlatformConfig;
  /**
   * Grafana's admin password (e.g. `config.getSecret("grafanaAdminPassword")`). Default:
   * none, and the Grafana chart generates one, which changes on every render; no random
   * provider is used because it would need its own plugin.
   */
  grafanaAdminPassword?: pulumi.Input<string>;
  /**
   * Kiali's login token signing key (the config secret `kialiSigningKey`), mounted from a
   * Secret (lib/addons/observability-secrets.ts). Default: none, and the chart generates one
   * at random on every render.
   */
  kialiSigningKey?: pulumi.Input<string>;
  /** The Istio component: Kiali goes into its root namespace and reads its CRDs. Default: none. */
  mesh?: pulumi.Resource;
}

export class Observability extends pulumi.ComponentResource {
  public readonly enabled: boolean;
  /** The Prometheus pods, for the intent compiler's scrape allowance. */
  public readonly prometheusPeer: { namespace: string; podLabels: Record<string, string> };
  public readonly kubePrometheusStack?: k8s.helm.v4.Chart;
  public readonly jaeger?: k8s.helm.v4.Chart;
  public readonly kiali?: k8s.helm.v4.Chart;
  /** In-cluster URLs of the UIs that are on (Grafana, Kiali, Jaeger). */
  public readonly urls: ObservabilityUrls;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:observability:Observability", name, {}, opts);
    const { platform } = args;
    const o = platform.observability;
    this.enabled = o.enabled;
    this.prometheusPeer = prometheusPeer();
    this.urls = observabilityUrls(platform);

    if (o.enabled) {
      const ns = new k8s.core.v1.Namespace(
        `${name}-ns`,
        // node-exporter uses host network and host PID.
        {
          metadata: {
            name: MONITORING_NAMESPACE,
            labels: { "pod-security.kubernetes.io/enforce": "privileged" },
          },
        },
        { parent: this },
      );
      let grafanaSecret: string | undefined;
      const deps: pulumi.Resource[] = [ns];
      if (o.grafana && args.grafanaAdminPassword !== undefined) {
        const secret = new k8s.core.v1.Secret(
          `${name}-grafana-admin`,
          {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_NAMESPACE },
            stringData: { "admin-user": "admin", "admin-password": pulumi.secret(args.grafanaAdminPassword) },
          },
          { parent: this, dependsOn: [ns] },
        );
        grafanaSecret = GRAFANA_ADMIN_SECRET;
        deps.push(secret);
      }
      if (o.prometheus || o.grafana) {
        this.kubePrometheusStack = installChart(
          `${name}-kps`,
          {
            key: "kubePrometheusStack",
            namespace: MONITORING_NAMESPACE,
            values: kubePrometheusStackValues(args.cluster, platform, grafanaSecret),
            platform,
          },
          { parent: this, dependsOn: deps },
        );
      }
      if (o.jaeger) {
        this.jaeger = installChart(
          `${name}-jaeger`,
          { key: "jaeger", namespace: MONITORING_NAMESPACE, values: jaegerValues(platform), platform },
          { parent: this, dependsOn: [ns] },
        );
      }
      if (o.kiali && platform.istio.enabled) {
        const kialiDeps: pulumi.Resource[] = args.mesh ? [args.mesh] : [];
        let values = kialiValues(platform);
        if (args.kialiSigningKey !== undefined) {
          const spec = kialiSigningKeySecret(
            platform.istio.rootNamespace,
            pulumi.secret(args.kialiSigningKey),
          );
          kialiDeps.push(
            new k8s.core.v1.Secret(
              `${name}-kiali-signing-key`,
              { metadata: spec.metadata, type: spec.type, stringData: spec.stringData },
              { parent: this, dependsOn: args.mesh ? [args.mesh] : [] },
            ),
          );
          values = mergeValues(values, kialiSigningKeyValues());
        }
        this.kiali = installChart(
          `${name}-kiali`,
          { key: "kiali", namespace: platform.istio.rootNamespace, values, platform },
          { parent: this, dependsOn: kialiDeps },
        );
      }
    }

    this.registerOutputs({ enabled: this.enabled, prometheusPeer: this.prometheusPeer, urls: this.urls });
  }
}
