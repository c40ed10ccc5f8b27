/**
 * The in-cluster URLs of the observability UIs a stack turns on, for its outputs. They
 * follow from the charts' names, which lib/addons/observability.ts pins with
 * `fullnameOverride` (Kiali: the chart's `deployment.instance_name`, `kiali`).
 */
import { PlatformConfig } from "./config";
import { GRAFANA_URL, JAEGER_FULLNAME, MONITORING_NAMESPACE } from "./addons/observability";

/** kiali-server's Service name (its default instance name), port and web root. */
const KIALI = { service: "kiali", port: 20001, webRoot: "/kiali" };
/** Jaeger's query UI (HTTP) on the all-in-one's query Service. */
const JAEGER_UI_PORT = 16686;

export interface ObservabilityUrls {
  grafana?: string;
  kiali?: string;
  jaeger?: string;
}

/** URLs of the UIs that are on: Grafana, Kiali (needs Istio) and Jaeger; none unless observability is enabled. */
export function observabilityUrls(platform: PlatformConfig): ObservabilityUrls {
  const o = platform.observability;
  if (!o.enabled) return {};
  return {
    ...(o.grafana ? { grafana: GRAFANA_URL } : {}),
    ...(o.kiali && platform.istio.enabled
      ? {
          kiali: `http://${KIALI.service}.${platform.istio.rootNamespace}.svc.cluster.local:${KIALI.port}${KIALI.webRoot}`,
        }
      : {}),
    ...(o.jaeger
      ? {
          jaeger: `http://${JAEGER_FULLNAME}-query.${MONITORING_NAMESPACE}.svc.cluster.local:${JAEGER_UI_PORT}`,
        }
      : {}),
  };
}
