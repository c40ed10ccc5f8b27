/**
 * promtool unit tests (`promtool test rules`) for every generated alert: sample series
 * shaped like what Istio's sidecars, Cilium/Hubble and cert-manager export, with the
 * expectation of each evaluation worked out here from the sample's value, the configured
 * threshold and `for:` (not from the rule's PromQL), so a wrong expression, label
 * matcher, threshold or duration makes promtool report a difference.
 */
import { PlatformConfig } from "../../../lib/config";
import { ResolvedApp, ResolvedEdge } from "../../../lib/intent";
import { AlertRule } from "../../../lib/alerts";
import { ingressPeer } from "../../../lib/addons/ingress";

export interface InputSeries {
  series: string;
  values: string;
}
export interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
export interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
export interface TestGroup {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertTest[];
}
export interface UnitTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: TestGroup[];
}

const MIN = 60;

/** Seconds in a Prometheus duration ("1h30m"). */
export function seconds(d: string): number {
  const units: Record<string, number> = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) total += Number(m[1]) * units[m[2]];
  return total;
}

/** Go's %.4g for the plain values the scenarios use. */
function g4(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** Prometheus' `humanize` for values below 1000. */
function humanize(v: number): string {
  if (Math.abs(v) >= 1000) throw new Error(`the scenarios keep humanized values under 1000 (got ${v})`);
  return g4(v);
}

/** Prometheus' `humanizeDuration` for whole seconds of at least a day. */
function humanizeDuration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor(s / 3600) % 24;
  const m = Math.floor(s / 60) % 60;
  return `${d}d ${h}h ${m}m ${s % 60}s`;
}

function series(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",")}}`;
}

/** A counter growing by `perMinute` every minute, for `minutes` minutes. */
function counter(perMinute: number, minutes: number): string {
  return `0+${perMinute}x${minutes}`;
}

const at = (s: number) => `${s}s`;

/**
 * Evaluation times around `for:`. A condition holds from the first evaluation (t=0) for
 * plain gauges, from the second (t=1m, when rate() has two samples) for counters: either
 * way it is still pending at `for` minus one minute (checked when `for` is at least 2m),
 * and firing two minutes after `for` has passed since t=1m.
 */
function evalTimes(forDuration: string): { early?: number; late: number; minutes: number } {
  const f = seconds(forDuration);
  const late = MIN + f + 2 * MIN;
  return { early: f >= 2 * MIN ? f - MIN : undefined, late, minutes: Math.ceil(late / MIN) + 2 };
}

/** Tests at the early (nothing fires yet) and late (the expected alerts fire) times. */
function checks(alertname: string, forDuration: string, expected: ExpAlert[]): AlertTest[] {
  const t = evalTimes(forDuration);
  return [
    ...(t.early !== undefined ? [{ eval_time: at(t.early), alertname, exp_alerts: [] }] : []),
    { eval_time: at(t.late), alertname, exp_alerts: expected },
  ];
}

function edgeOf(app: ResolvedApp, rule: AlertRule): ResolvedEdge {
  const e = app.edges.find((x) => `${x.from} -> ${x.to}:${x.port}` === rule.labels.edge);
  if (!e)
    throw new Error(`rule ${rule.alert} names edge "${rule.labels.edge}", which the app does not declare`);
  return e;
}

/** The labels Istio's destination sidecar puts on one edge's requests. */
function istioEdgeLabels(platform: PlatformConfig, e: ResolvedEdge): Record<string, string> {
  if (e.destination.kind !== "service") throw new Error(`${e.from} -> ${e.to}: no sidecar reports it`);
  const td = platform.istio.trustDomain;
  const caller =
    e.source.kind === "ingress-controller"
      ? { ns: ingressPeer(platform).namespace, sa: ingressPeer(platform).serviceAccount }
      : e.source.kind === "service"
        ? { ns: e.source.namespace, sa: e.source.name }
        : undefined;
  if (!caller) throw new Error(`${e.from}: not a caller`);
  const dst = e.destination;
  return {
    reporter: "destination",
    source_principal: `spiffe://${td}/ns/${caller.ns}/sa/${caller.sa}`,
    source_workload: e.from,
    source_workload_namespace: caller.ns,
    destination_principal: `spiffe://${td}/ns/${dst.namespace}/sa/${dst.name}`,
    destination_service: `${dst.name}.${dst.namespace}.svc.cluster.local`,
    destination_service_name: dst.name,
    destination_service_namespace: dst.namespace,
    destination_workload: dst.name,
    destination_workload_namespace: dst.namespace,
    connection_security_policy: "mutual_tls",
    request_protocol: "http",
  };
}

function edgeErrorTests(platform: PlatformConfig, app: ResolvedApp, rule: AlertRule): TestGroup[] {
  const e = edgeOf(app, rule);
  const cfg = platform.observability.alerts.edges;
  const base = istioEdgeLabels(platform, e);
  const { minutes } = evalTimes(rule.for);
  const pct = Math.round(cfg.errorRatio * 10000) / 100;
  const expected = (ratio: number): ExpAlert[] =>
    ratio > cfg.errorRatio
      ? [
          {
            exp_labels: rule.labels,
            exp_annotations: {
              summary: `${rule.labels.edge}: ${g4(ratio * 100)}% of requests fail`,
              description: `More than ${pct}% of the requests ${e.from} sends to ${e.to} get a 5xx answer (as ${e.to}'s sidecar reports them).`,
            },
          },
        ]
      : [];
  return [
    {
      name: `${rule.labels.edge}: 10% of requests answered 503`,
      interval: "1m",
      input_series: [
        {
          series: series("istio_requests_total", { ...base, response_code: "200" }),
          values: counter(90, minutes),
        },
        {
          series: series("istio_requests_total", { ...base, response_code: "503" }),
          values: counter(10, minutes),
        },
      ],
      alert_rule_test: checks(rule.alert, rule.for, expected(0.1)),
    },
    {
      name: `${rule.labels.edge}: 2% answered 503; an undeclared caller's and the caller-side reports' errors do not count`,
      interval: "1m",
      input_series: [
        {
          series: series("istio_requests_total", { ...base, response_code: "200" }),
          values: counter(98, minutes),
        },
        {
          series: series("istio_requests_total", { ...base, response_code: "503" }),
          values: counter(2, minutes),
        },
        {
          series: series("istio_requests_total", {
            ...base,
            source_principal: base.source_principal.replace(/sa\/[^/]+$/, "sa/undeclared"),
            source_workload: "undeclared",
            response_code: "503",
          }),
          values: counter(100, minutes),
        },
        {
          series: series("istio_requests_total", {
            ...base,
            reporter: "source",
            connection_security_policy: "unknown",
            response_code: "503",
          }),
          values: counter(100, minutes),
        },
      ],
      alert_rule_test: checks(rule.alert, rule.for, expected(0.02)),
    },
  ];
}

/** Istio's request duration buckets (ms) that the scenarios fill. */
const BUCKETS = ["25", "100", "500", "1000", "2500", "+Inf"];

function buckets(
  base: Record<string, string>,
  from: string,
  perMinute: number,
  minutes: number,
): InputSeries[] {
  // Cumulative: every request is slower than each bound below `from`, and within every bound from it on.
  const first = BUCKETS.indexOf(from);
  return BUCKETS.map((le, i) => ({
    series: series("istio_request_duration_milliseconds_bucket", { ...base, le }),
    values: counter(i >= first ? perMinute : 0, minutes),
  }));
}

function edgeLatencyTests(platform: PlatformConfig, app: ResolvedApp, rule: AlertRule): TestGroup[] {
  const e = edgeOf(app, rule);
  const cfg = platform.observability.alerts.edges;
  const base = istioEdgeLabels(platform, e);
  const { minutes } = evalTimes(rule.for);
  const q = cfg.latencyQuantile;
  const quantile = `p${Math.round(q * 1000) / 10}`;
  // Every request in one bucket: the quantile interpolates linearly inside it.
  const inBucket = (lo: number, hi: number) => lo + (hi - lo) * q;
  const expected = (ms: number): ExpAlert[] =>
    ms > cfg.latencyMs
      ? [
          {
            exp_labels: rule.labels,
            exp_annotations: {
              summary: `${rule.labels.edge}: ${quantile} latency ${Math.round(ms)}ms`,
              description: `The ${quantile} latency of ${e.from}'s requests to ${e.to} is above ${cfg.latencyMs}ms.`,
            },
          },
        ]
      : [];
  return [
    {
      name: `${rule.labels.edge}: every request takes 1-2.5s`,
      interval: "1m",
      input_series: buckets(base, "2500", 60, minutes),
      alert_rule_test: checks(rule.alert, rule.for, expected(inBucket(1000, 2500))),
    },
    {
      name: `${rule.labels.edge}: every request takes 25-100ms; slow caller-side reports do not count`,
      interval: "1m",
      input_series: [
        ...buckets(base, "100", 60, minutes),
        ...buckets(
          { ...base, reporter: "source", connection_security_policy: "unknown" },
          "2500",
          600,
          minutes,
        ),
      ],
      alert_rule_test: checks(rule.alert, rule.for, expected(inBucket(25, 100))),
    },
  ];
}

function plaintextTests(platform: PlatformConfig, app: ResolvedApp, rule: AlertRule): TestGroup[] {
  const t = platform.observability.alerts.plaintext.requestsPerSecond;
  const { minutes } = evalTimes(rule.for);
  const s = app.spec.services[1] ?? app.spec.services[0];
  const ns = s.namespace ?? app.spec.namespace;
  const dst = {
    destination_workload: s.name,
    destination_workload_namespace: ns,
    destination_service_name: s.name,
    destination_service_namespace: ns,
    response_code: "200",
  };
  const expected = (rps: number): ExpAlert[] =>
    rps > t
      ? [
          {
            exp_labels: { ...rule.labels, destination_workload: s.name, destination_workload_namespace: ns },
            exp_annotations: {
              summary: `${ns}/${s.name} accepts requests without mutual TLS`,
              description:
                `The mesh is STRICT, yet this workload's sidecar reports ${humanize(rps)} requests/s without mTLS: ` +
                "a PeerAuthentication or a port exclusion has weakened it.",
            },
          },
        ]
      : [];
  return [
    {
      name: `${ns}/${s.name} receives 1 plaintext request/s`,
      interval: "1m",
      input_series: [
        {
          series: series("istio_requests_total", {
            ...dst,
            reporter: "destination",
            connection_security_policy: "none",
            source_principal: "unknown",
          }),
          values: counter(60, minutes),
        },
      ],
      alert_rule_test: checks(rule.alert, rule.for, expected(1)),
    },
    {
      name: `${ns}/${s.name} receives only mutual TLS; clients' own reports say "unknown"`,
      interval: "1m",
      input_series: [
        {
          series: series("istio_requests_total", {
            ...dst,
            reporter: "destination",
            connection_security_policy: "mutual_tls",
          }),
          values: counter(600, minutes),
        },
        {
          series: series("istio_requests_total", {
            ...dst,
            reporter: "source",
            connection_security_policy: "unknown",
          }),
          values: counter(600, minutes),
        },
      ],
      alert_rule_test: checks(rule.alert, rule.for, expected(0)),
    },
  ];
}

function certificateTests(platform: PlatformConfig, rule: AlertRule): TestGroup[] {
  const c = platform.observability.alerts.certificateExpiry;
  const days = rule.alert === "CertificateExpiryCritical" ? c.criticalDays : c.warningDays;
  const t = evalTimes(rule.for);
  // Days left at the late evaluation: between the thresholds, under both, above both.
  const certs = [
    { name: "shop-tls", namespace: "shop", left: Math.floor((c.warningDays + c.criticalDays) / 2) },
    { name: "platform-ca", namespace: "cert-manager", left: Math.max(1, Math.floor(c.criticalDays / 2)) },
    { name: "api-tls", namespace: "shop", left: c.warningDays + 30 },
  ];
  const issuer = {
    issuer_name: "letsencrypt-prod",
    issuer_kind: "ClusterIssuer",
    issuer_group: "cert-manager.io",
  };
  return [
    {
      name: `certificates with ${certs.map((x) => x.left).join(", ")} days left (${rule.alert} under ${days})`,
      interval: "1m",
      input_series: certs.map((x) => ({
        series: series("certmanager_certificate_expiration_timestamp_seconds", {
          name: x.name,
          namespace: x.namespace,
          ...issuer,
        }),
        values: `${t.late + x.left * 86400}x${t.minutes}`,
      })),
      alert_rule_test: checks(
        rule.alert,
        rule.for,
        certs
          .filter((x) => x.left < days)
          .map((x) => ({
            exp_labels: { ...rule.labels, name: x.name, namespace: x.namespace, ...issuer },
            exp_annotations: {
              summary: `Certificate ${x.namespace}/${x.name} expires in ${humanizeDuration(x.left * 86400)}`,
              description:
                `Less than ${days} days left and cert-manager has not renewed it (issuer ${issuer.issuer_name}); ` +
                "see `kubectl describe certificate` and the CertificateRequest it made.",
            },
          })),
      ),
    },
  ];
}

function dropTests(platform: PlatformConfig, rule: AlertRule): TestGroup[] {
  const threshold = platform.observability.alerts.policyDrops.packetsPerSecond;
  const { minutes } = evalTimes(rule.for);
  if (rule.expr.includes("hubble_drop_total")) {
    const pair = (src: string, dst: string) => ({
      source_namespace: "shop",
      source_workload: src,
      destination_namespace: "shop",
      destination_workload: dst,
    });
    const flows = [
      { labels: pair("frontend", "payment"), reason: "POLICY_DENIED", pps: 5 },
      { labels: pair("inventory", "orders"), reason: "POLICY_DENY", pps: 2 },
      { labels: pair("orders", "events"), reason: "POLICY_DENIED", pps: 0.5 },
      // Not a policy verdict: never alerted on as a policy drop.
      { labels: pair("events", "inventory"), reason: "CT_MAP_INSERTION_FAILED", pps: 10 },
    ];
    return [
      {
        name: "Hubble counts policy and other drops between workload pairs",
        interval: "1m",
        input_series: flows.map((f) => ({
          series: series("hubble_drop_total", { ...f.labels, reason: f.reason, protocol: "TCP" }),
          values: counter(f.pps * 60, minutes),
        })),
        alert_rule_test: checks(
          rule.alert,
          rule.for,
          flows
            .filter((f) => f.reason.startsWith("POLICY_") && f.pps > threshold)
            .map((f) => ({
              exp_labels: { ...rule.labels, ...f.labels },
              exp_annotations: {
                summary:
                  `NetworkPolicy drops traffic from ${f.labels.source_namespace}/${f.labels.source_workload} ` +
                  `to ${f.labels.destination_namespace}/${f.labels.destination_workload}`,
                description:
                  `${humanize(f.pps)} packets/s dropped by policy (threshold ${threshold}/s, Hubble). ` +
                  "Either a caller is not declared in app.edges or a declared edge is not compiled; compare `npm run topology`.",
              },
            })),
        ),
      },
    ];
  }
  const drops = [
    { direction: "INGRESS", reason: "Policy denied", pps: 5 },
    { direction: "EGRESS", reason: "Policy denied by denylist", pps: 2 },
    { direction: "EGRESS", reason: "Stale or unroutable IP", pps: 10 },
  ];
  const byDirection = new Map<string, number>();
  for (const d of drops.filter((x) => x.reason.startsWith("Policy denied"))) {
    byDirection.set(d.direction, (byDirection.get(d.direction) ?? 0) + d.pps);
  }
  return [
    {
      name: "Cilium's agent counts policy and other drops by direction",
      interval: "1m",
      input_series: drops.map((d) => ({
        series: series("cilium_drop_count_total", { reason: d.reason, direction: d.direction }),
        values: counter(d.pps * 60, minutes),
      })),
      alert_rule_test: checks(
        rule.alert,
        rule.for,
        [...byDirection]
          .filter(([, pps]) => pps > threshold)
          .map(([direction, pps]) => ({
            exp_labels: { ...rule.labels, direction },
            exp_annotations: {
              summary: `NetworkPolicy drops ${direction} traffic`,
              description:
                `${humanize(pps)} packets/s dropped by policy (threshold ${threshold}/s, Cilium agent). ` +
                "Turn observability.hubble on to see which workloads.",
            },
          })),
      ),
    },
  ];
}

/** The promtool test groups of one generated rule; throws for an alert with no scenario. */
export function scenariosFor(platform: PlatformConfig, app: ResolvedApp, rule: AlertRule): TestGroup[] {
  switch (rule.alert) {
    case "AppEdgeErrorRate":
      return edgeErrorTests(platform, app, rule);
    case "AppEdgeLatencyHigh":
      return edgeLatencyTests(platform, app, rule);
    case "PlaintextToStrictWorkload":
      return plaintextTests(platform, app, rule);
    case "CertificateExpiringSoon":
    case "CertificateExpiryCritical":
      return certificateTests(platform, rule);
    case "NetworkPolicyDropping":
      return dropTests(platform, rule);
    default:
      throw new Error(`alert ${rule.alert} has no promtool scenario: add one to ${__filename}`);
  }
}
