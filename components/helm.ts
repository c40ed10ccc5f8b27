/**
 * One way to install a chart: Helm v4 Chart resources, rendered by the Kubernetes
 * provider into ordinary Kubernetes resources. That keeps previews and render mode
 * working without a cluster (a Helm Release needs one), and makes every object of
 * every chart visible to the policy pack.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartKey, chartSource, mirrorVersionWarning } from "../lib/charts";
import { PlatformConfig } from "../lib/config";
import { mergeValues } from "../lib/merge";
import { rewriteChartObject } from "../lib/chart-rewrites";
import { hookObjectsFor } from "../lib/chart-hooks";
import { createObject } from "./create-object";

export interface ChartArgs {
  /** Which chart, by the platform's key; its source comes from the stack's `charts` config. */
  key: ChartKey;
  namespace: string;
  /** The platform's values for this chart; the stack's `values.<key>` is deep-merged over them. */
  values: Record<string, unknown>;
  platform: PlatformConfig;
  /**
   * Helm release name; defaults to the Pulumi name. Set it where pod labels
   * (`app.kubernetes.io/instance`) or service names must be known in advance.
   */
  releaseName?: string;
}

/** The Helm chart of an add-on, with source and value overrides applied. */
export function installChart(
  name: string,
  args: ChartArgs,
  opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
  const source = chartSource(args.key, args.platform.charts);
  const versionWarning = mirrorVersionWarning(args.key, args.platform.charts);
  if (versionWarning) void pulumi.log.warn(versionWarning);
  // Where no chart value reaches, and every object as the API server stores it (lib/chart-rewrites.ts).
  const transform: pulumi.ResourceTransform = (t) => {
    const props = rewriteChartObject(args.key, t.type, t.props as Record<string, unknown>);
    // The chart's Helm hooks the platform needs (lib/chart-hooks.ts), built from the object as
    // sent. Registered from here, when the chart renders the object, so a hook exists exactly
    // when its source does; after the whole chart, as Helm runs a post-install hook.
    for (const hook of hookObjectsFor(args.key, t.type, props ?? (t.props as Record<string, unknown>))) {
      createObject(name, hook, { parent: opts.parent, provider: opts.provider, dependsOn: [chart] });
    }
    return props ? { props, opts: t.opts } : undefined;
  };
  const chart = new k8s.helm.v4.Chart(
    name,
    {
      name: args.releaseName,
      chart: source.chart,
      version: source.version,
      repositoryOpts: source.repository ? { repo: source.repository } : undefined,
      namespace: args.namespace,
      values: mergeValues(args.values, args.platform.values[args.key]),
    },
    { ...opts, transforms: [...(opts.transforms ?? []), transform] },
  );
  return chart;
}
