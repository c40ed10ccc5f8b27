/**
 * The `observability.alerts` and `observability.dashboards` config keys: thresholds and
 * `for:` durations of the alerts lib/alerts.ts generates. Kept apart from lib/alerts.ts
 * (which reads the whole platform config) so lib/config.ts can import the schema without
 * an import cycle.
 */
import { z } from "zod";

/**
 * A Prometheus duration as rule files accept it (`for:`, range selectors): one or more
 * number+unit pairs from years down to milliseconds, largest unit first, e.g. `5m`, `1h30m`.
 */
export const PROMETHEUS_DURATION = /^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

const duration = z
  .string()
  .regex(
    PROMETHEUS_DURATION,
    'must be a Prometheus duration such as "30s", "5m", "1h30m" (units y w d h m s ms)',
  )
  .refine((v) => v !== "" && /[1-9]/.test(v), 'must be a Prometheus duration longer than zero (e.g. "5m")');

export const alertsSchema = z
  .object({
    /** Generate the PrometheusRules (with observability.enabled and observability.prometheus). */
    enabled: z.boolean().default(true),
    /** The range of every rate() in the rules. */
    rateWindow: duration.default("5m"),
    /** Packets dropped by NetworkPolicy (Cilium only: see README). */
    policyDrops: z
      .object({
        packetsPerSecond: z.number().min(0).default(1),
        for: duration.default("10m"),
      })
      .strict()
      .prefault({}),
    /** cert-manager Certificates close to expiry: warning, then critical. */
    certificateExpiry: z
      .object({
        warningDays: z.number().int().min(1).max(365).default(21),
        criticalDays: z.number().int().min(1).max(365).default(7),
        for: duration.default("1h"),
      })
      .strict()
      .prefault({})
      .superRefine((c, ctx) => {
        if (c.criticalDays >= c.warningDays) {
          ctx.addIssue({
            code: "custom",
            path: ["criticalDays"],
            input: c.criticalDays,
            message: `must be less than warningDays (${c.warningDays}): the critical alert comes after the warning`,
          });
        }
      }),
    /** Requests reaching a workload of a STRICT mesh without mutual TLS. */
    plaintext: z
      .object({
        requestsPerSecond: z.number().min(0).default(0),
        for: duration.default("5m"),
      })
      .strict()
      .prefault({}),
    /** Error rate and latency of every declared HTTP edge of the app. */
    edges: z
      .object({
        /** Share of 5xx responses, strictly between 0 and 1. */
        errorRatio: z.number().gt(0).lt(1).default(0.05),
        /** Which latency quantile is held to `latencyMs`, strictly between 0 and 1. */
        latencyQuantile: z.number().gt(0).lt(1).default(0.99),
        latencyMs: z.number().positive().default(500),
        for: duration.default("10m"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsSchema>;
