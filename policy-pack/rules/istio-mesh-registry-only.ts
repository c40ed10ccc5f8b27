import {
  ISTIO_ROOT_NAMESPACE_CONFIG,
  type IstioRootNamespaceConfig,
  isIstiodDeployment,
  istioRootNamespace,
} from "../lib/platform";
import { parse as parseYaml } from "yaml";
import { isRecord } from "../lib/resource-manifest";
import { stackRule } from "../lib/rule";
import { effectiveNamespace, type StackObject } from "../lib/stack";

export type MeshRegistryOnlyConfig = IstioRootNamespaceConfig;

/** Istio's default when meshConfig does not say: every unknown host is passed through. */
const ISTIO_DEFAULT_MODE = "ALLOW_ANY";

/** The mode a MeshConfig sets, or undefined when it sets none. */
function modeOf(meshConfig: unknown): string | undefined {
  const policy = isRecord(meshConfig) ? meshConfig.outboundTrafficPolicy : undefined;
  return isRecord(policy) && typeof policy.mode === "string" ? policy.mode : undefined;
}

/** What a violation says of the mode: the value, or that Istio's default applies. */
function described(mode: string | undefined): string {
  return mode ?? `unset (Istio's default, ${ISTIO_DEFAULT_MODE})`;
}

/** `istiod` by the last segment of a chart reference (a name, a path, an OCI or .tgz URL). */
function isIstiodChart(o: StackObject): boolean {
  if (!/^kubernetes:helm\.sh\/v\d:(Chart|Release)$/.test(o.type) || typeof o.props.chart !== "string") {
    return false;
  }
  const last = o.props.chart.replace(/\/+$/, "").split("/").pop() ?? "";
  return last.replace(/-\d+(\.\d+)*.*\.tgz$/, "") === "istiod";
}

/**
 * The mesh config istiod reads is the `mesh` key of the ConfigMap its chart renders in the
 * root namespace (`istio`, or `istio-<revision>`), YAML of Istio's MeshConfig. Where the
 * chart's objects are not in the stack, the istiod chart's `meshConfig` value stands in.
 */
export const meshRegistryOnly = stackRule<MeshRegistryOnlyConfig>(
  {
    name: "istio-mesh-registry-only",
    description:
      "When Istio is installed, its mesh config (the istiod ConfigMap's mesh, or the istiod chart's meshConfig) sets outboundTrafficPolicy.mode REGISTRY_ONLY, so sidecars reach only hosts a Service or ServiceEntry names; Istio's default ALLOW_ANY lets any workload call any host.",
    severity: "high",
    remediation:
      "Set meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY (istio.outboundTrafficPolicy in the stack config) and name each external host with a ServiceEntry",
    enforcementLevel: "mandatory",
    config: ISTIO_ROOT_NAMESPACE_CONFIG,
  },
  ({ view, config, report }) => {
    for (const c of view.clusters) {
      if (!c.platform.istio) continue;
      const root = istioRootNamespace(config, c.platform);
      const meshConfigMaps = c.manifests.filter((o) => {
        const m = o.manifest;
        return (
          m.kind === "ConfigMap" &&
          effectiveNamespace(o) === root &&
          /^istio(-[a-z0-9-]+)?$/.test(m.metadata.name ?? "") &&
          typeof m.data?.mesh === "string"
        );
      });
      for (const o of meshConfigMaps) {
        let mesh: unknown;
        try {
          mesh = parseYaml(o.manifest.data!.mesh);
        } catch (e) {
          report(o, `its mesh config is not valid YAML (${(e as Error).message.split("\n")[0]})`);
          continue;
        }
        const mode = modeOf(mesh);
        if (mode !== "REGISTRY_ONLY") {
          report(
            o,
            `the mesh config of cluster "${c.platform.cluster}" has outboundTrafficPolicy.mode ${described(mode)}, not REGISTRY_ONLY`,
          );
        }
      }
      if (meshConfigMaps.length > 0) continue;
      const charts = c.objects.filter(isIstiodChart);
      for (const o of charts) {
        const values = isRecord(o.props.values) ? o.props.values : {};
        const mode = modeOf(values.meshConfig);
        if (mode !== "REGISTRY_ONLY") {
          report(
            o,
            `the istiod chart's meshConfig has outboundTrafficPolicy.mode ${described(mode)}, not REGISTRY_ONLY`,
          );
        }
      }
      if (charts.length > 0) continue;
      const target = c.manifests.find((o) => isIstiodDeployment(o.manifest)) ?? c.platform.profile;
      report(
        target,
        `Istio is installed in cluster "${c.platform.cluster}" but no mesh config (a ConfigMap in "${root}" with a mesh key, or an istiod chart) sets outboundTrafficPolicy; Istio's default is ALLOW_ANY`,
      );
    }
  },
);
