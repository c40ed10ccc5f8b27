/**
 * The platform's alerts and dashboards on one cluster: a PrometheusRule, the PodMonitors
 * that feed it, and the Grafana dashboards as ConfigMaps (planning: lib/alerts.ts,
 * lib/dashboards.ts). They wait for the Observability component, whose chart brings the
 * Prometheus operator's CRDs and the `monitoring` namespace.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../lib/config";
import { ResolvedApp } from "../lib/intent";
import { alertObjects } from "../lib/alerts";
import { dashboardObjects } from "../lib/dashboards";
import { createObject } from "./create-object";

export interface AlertsArgs {
  platform: PlatformConfig;
  app: ResolvedApp;
  /** The cluster's name: the prefix of every child, and which edges' destinations run here. */
  cluster: string;
  /** The Observability component (CRDs, namespace). */
  observability: pulumi.Resource;
}

export class Alerts extends pulumi.ComponentResource {
  /** Names of the objects created (kind/name), for outputs and tests. */
  public readonly objects: string[];

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:observability:Alerts", name, {}, opts);
    const objects = [
      ...alertObjects(args.platform, args.app, args.cluster),
      ...dashboardObjects(args.platform, args.app, args.cluster),
    ];
    for (const obj of objects) {
      createObject(args.cluster, obj, { parent: this, dependsOn: [args.observability] });
    }
    this.objects = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    this.registerOutputs({ objects: this.objects });
  }
}
