/**
 * Where every Helm chart comes from. Defaults point at the upstream repositories at
 * pinned versions; stack config (`charts.<key>`) can point any of them at a mirror,
 * an OCI registry or a local directory, and `charts.mirror: <dir>` points every key
 * at `<dir>/<key>` (an unpacked chart per key, as `npm run charts:mirror` prepares),
 * which is how air-gapped users (and this repository's offline tests) install the platform.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const CHART_KEYS = [
  "cilium",
  "tigeraOperator",
  "flannel",
  "istioBase",
  "istiod",
  "istioGateway",
  "ingressNginx",
  "nginxIngress",
  "certManager",
  "submarinerBroker",
  "submarinerOperator",
  "kubePrometheusStack",
  "kiali",
  "jaeger",
] as const;

export type ChartKey = (typeof CHART_KEYS)[number];

export interface ChartSource {
  /** Helm repository URL; omitted for OCI references and local paths. */
  repository?: string;
  /** Chart name in the repository, an `oci://` reference, or a local directory. */
  chart: string;
  /** Exact chart version; omitted only for local directories. */
  version?: string;
}

/** A user's override: any field of a ChartSource, or `path` for a local chart directory. */
export interface ChartSourceOverride {
  repository?: string;
  chart?: string;
  version?: string;
  path?: string;
}

const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";
const ISTIO_VERSION = "1.27.3";
const SUBMARINER_REPO = "https://submariner-io.github.io/submariner-charts/charts";
const SUBMARINER_VERSION = "0.21.0";

export const DEFAULT_CHARTS: Readonly<Record<ChartKey, ChartSource>> = {
  cilium: { repository: "https://helm.cilium.io", chart: "cilium", version: "1.18.3" },
  tigeraOperator: {
    repository: "https://docs.tigera.io/calico/charts",
    chart: "tigera-operator",
    version: "v3.30.4",
  },
  flannel: { repository: "https://flannel-io.github.io/flannel", chart: "flannel", version: "v0.27.4" },
  istioBase: { repository: ISTIO_REPO, chart: "base", version: ISTIO_VERSION },
  istiod: { repository: ISTIO_REPO, chart: "istiod", version: ISTIO_VERSION },
  istioGateway: { repository: ISTIO_REPO, chart: "gateway", version: ISTIO_VERSION },
  ingressNginx: {
    repository: "https://kubernetes.github.io/ingress-nginx",
    chart: "ingress-nginx",
    version: "4.13.3",
  },
  nginxIngress: { chart: "oci://ghcr.io/nginx/charts/nginx-ingress", version: "2.3.1" },
  certManager: { repository: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.19.1" },
  submarinerBroker: {
    repository: SUBMARINER_REPO,
    chart: "submariner-k8s-broker",
    version: SUBMARINER_VERSION,
  },
  submarinerOperator: {
    repository: SUBMARINER_REPO,
    chart: "submariner-operator",
    version: SUBMARINER_VERSION,
  },
  kubePrometheusStack: {
    repository: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "79.1.0",
  },
  kiali: { repository: "https://kiali.org/helm-charts", chart: "kiali-server", version: "2.17.0" },
  jaeger: { repository: "https://jaegertracing.github.io/helm-charts", chart: "jaeger", version: "3.4.1" },
};

/** The stack's `charts` config: per-key overrides and an optional mirror directory. */
export interface ChartsConfig extends Partial<Record<ChartKey, ChartSourceOverride>> {
  /** A directory holding one unpacked chart per key (`<mirror>/<key>/Chart.yaml`). */
  mirror?: string;
}

/** The effective source of one chart: the default with the stack's override applied. */
export function resolveChartSource(key: ChartKey, override?: ChartSourceOverride): ChartSource {
  const base = DEFAULT_CHARTS[key];
  if (!override) return { ...base };
  if (override.path) {
    // A local directory replaces the repository entirely; Helm reads the version from Chart.yaml.
    return { chart: override.path };
  }
  const chart = override.chart ?? base.chart;
  const isOci = chart.startsWith("oci://");
  return {
    chart,
    version: override.version ?? base.version,
    repository: isOci ? undefined : (override.repository ?? base.repository),
  };
}

/**
 * The source of one chart under the stack's `charts` config: a per-key override wins,
 * then the mirror (`<mirror>/<key>`, which must hold a chart), then the pinned default.
 */
export function chartSource(key: ChartKey, charts: ChartsConfig): ChartSource {
  const override = charts[key];
  if (override || !charts.mirror) return resolveChartSource(key, override);
  const dir = path.join(charts.mirror, key);
  if (!fs.existsSync(path.join(dir, "Chart.yaml"))) {
    throw new Error(
      `charts.mirror: ${charts.mirror} has no chart for ${key} (expected ${path.join(dir, "Chart.yaml")}); ` +
        `add it (npm run charts:mirror) or point charts.${key} elsewhere`,
    );
  }
  return { chart: dir };
}

/** The `version` of the chart in a local directory, from its Chart.yaml. */
export function localChartVersion(dir: string): string {
  const file = path.join(dir, "Chart.yaml");
  const doc = parse(fs.readFileSync(file, "utf8")) as { version?: unknown } | null;
  if (typeof doc?.version !== "string" || doc.version === "") {
    throw new Error(`${file}: no version`);
  }
  return doc.version;
}

/**
 * A warning when the mirror's chart for `key` is not the pinned version (the pin is
 * not changed to fit the mirror: the stack installs what the mirror has, and says so).
 * Undefined when the key does not come from the mirror or the versions agree.
 */
export function mirrorVersionWarning(key: ChartKey, charts: ChartsConfig): string | undefined {
  if (!charts.mirror || charts[key]) return undefined;
  const source = chartSource(key, charts);
  const found = localChartVersion(source.chart);
  const pinned = DEFAULT_CHARTS[key].version;
  if (pinned === undefined || found.replace(/^v/, "") === pinned.replace(/^v/, "")) return undefined;
  return `chart ${key}: the mirror ${charts.mirror} has version ${found}, not the pinned ${pinned}; installing ${found}`;
}

/** The mirror's version warnings for every chart key it holds (keys it lacks are skipped). */
export function mirrorVersionWarnings(charts: ChartsConfig): string[] {
  if (!charts.mirror) return [];
  const mirror = charts.mirror;
  return CHART_KEYS.filter((k) => fs.existsSync(path.join(mirror, k, "Chart.yaml")))
    .map((k) => mirrorVersionWarning(k, charts))
    .filter((w): w is string => w !== undefined);
}
