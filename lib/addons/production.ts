/**
 * What the platform's own add-ons run with in prod, so they pass the policy pack they are
 * judged by (kubernetes-deployment-ha, kubernetes-pod-resources): two replicas with a
 * PodDisruptionBudget that lets one go, and requests and limits on every container.
 * Sizes are starting points for a small cluster; change them per stack with `values.<key>`.
 */
import { PlatformConfig } from "../config";

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export function resources(cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources {
  return { requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/** Small helpers (webhooks, controllers of a few objects, one-shot jobs). */
export const SMALL = resources("50m", "64Mi", "500m", "256Mi");
export const MEDIUM = resources("100m", "128Mi", "1", "512Mi");

export const HA_REPLICAS = 2;
/** The PodDisruptionBudget values of charts that take `enabled` and `maxUnavailable`. */
export const ONE_AT_A_TIME = { enabled: true, maxUnavailable: 1 };

export function isProd(platform: PlatformConfig): boolean {
  return platform.environment === "prod";
}
