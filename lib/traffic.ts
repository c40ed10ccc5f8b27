/**
 * Traffic management from config (`app.traffic.<service>`): weighted versions (a canary
 * split between Deployments that differ by their `version` label, all behind the one
 * Service), a route timeout, retries, and fault injection for resilience tests.
 *
 * Istio's sidecars do the routing, so the objects are, per service, a DestinationRule
 * with one subset per version and a VirtualService holding the weights, the timeout,
 * the retries and (dev only) the faults. At the edge in `gateway-api` mode the Istio
 * gateway follows the HTTPRoute, not the VirtualService: the route's backendRefs become
 * one Service per version, weighted.
 *
 * The intent compiler (lib/intent.ts) needs nothing new: its NetworkPolicies,
 * AuthorizationPolicies and intent document select a service's pods by
 * `app.kubernetes.io/name`, which every version's pods carry, and every version runs
 * under the service's one ServiceAccount (one SPIFFE identity).
 * Pure functions only, like the rest of lib/.
 */
import { z } from "zod";
import { AppSpec, ServiceSpec, VersionSpec } from "./app-spec";
import { K8sObject, platformLabels } from "./k8s-object";
import { ClusterView, NAME_LABEL, ResolvedApp, namespaceOf } from "./intent";
import { WorkloadOptions, microserviceObjects } from "./workload";

/** The label subsets and per-version Services select on; Istio telemetry and Kiali group by it too. */
export const VERSION_LABEL = "version";

const label = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label (lower-case letters, digits, '-')",
  );
const DURATION = /^(\d+(?:\.\d+)?)(ms|s)$/;
const duration = z.string().regex(DURATION, 'must be a duration like "500ms" or "2s"');
const percent = z.number().min(0).max(100);

/** What Envoy retries on (Istio's `retryOn`): a comma-separated list of these policies. */
export const RETRY_ON = [
  "5xx",
  "gateway-error",
  "reset",
  "connect-failure",
  "refused-stream",
  "retriable-4xx",
  "retriable-status-codes",
  "unavailable",
  "cancelled",
  "deadline-exceeded",
  "resource-exhausted",
] as const;

export const serviceTrafficSchema = z
  .object({
    /** Workload versions by name; each becomes a Deployment `<service>-<version>`. */
    versions: z
      .record(
        label,
        z
          .object({
            /** Defaults to the service's image. */
            image: z.string().min(1).optional(),
            /** Defaults to `app.replicas` (ignored under `app.autoscaling`: the HPA owns it). */
            replicas: z.number().int().min(1).max(100).optional(),
          })
          .strict(),
      )
      .optional(),
    /** Percent of requests per version; they sum to 100. */
    weights: z.record(z.string(), z.number().int().min(0).max(100)).optional(),
    /** The whole request's deadline, retries included. */
    timeout: duration.optional(),
    retries: z
      .object({
        /** Retries after the first try (Envoy's num_retries). */
        attempts: z.number().int().min(1).max(10),
        perTryTimeout: duration,
        retryOn: z
          .string()
          .refine(
            (v) => v.split(",").every((p) => (RETRY_ON as readonly string[]).includes(p.trim())),
            `must be a comma-separated list of: ${RETRY_ON.join(", ")}`,
          )
          .default("5xx,reset,connect-failure"),
      })
      .strict()
      .optional(),
    /** Resilience tests: delay or abort a share of the requests (dev only). */
    fault: z
      .object({
        /** Only requests from these services (edges to this one); all callers when omitted. */
        from: z.array(label).min(1).optional(),
        delay: z.object({ percent, fixedDelay: duration }).strict().optional(),
        abort: z
          .object({ percent, httpStatus: z.number().int().min(200).max(599) })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const trafficSchema = z.record(label, serviceTrafficSchema).default({});
export type ServiceTraffic = z.output<typeof serviceTrafficSchema>;
export type TrafficConfig = Record<string, ServiceTraffic>;

/** Milliseconds of a duration the schema accepted. */
export function durationMs(d: string): number {
  const m = DURATION.exec(d);
  if (!m) throw new Error(`"${d}" is not a duration like "500ms" or "2s"`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

/** Istio's (protobuf) duration: seconds with an `s` suffix. */
function istioDuration(d: string): string {
  return `${durationMs(d) / 1000}s`;
}

/** The versions with their weights, in declaration order; undefined without versions. */
export function versionsOf(t: ServiceTraffic | undefined, image: string): VersionSpec[] | undefined {
  const names = Object.keys(t?.versions ?? {});
  if (names.length === 0) return undefined;
  return names.map((name) => ({
    name,
    image: t!.versions![name].image ?? image,
    replicas: t!.versions![name].replicas,
    weight: t!.weights?.[name] ?? (names.length === 1 ? 100 : 0),
  }));
}

/** The service with its versions from config (for the effective app spec). */
export function withVersions(s: ServiceSpec, t: ServiceTraffic | undefined): ServiceSpec {
  const versions = versionsOf(t, s.image);
  return versions ? { ...s, versions } : s;
}

export interface TrafficContext {
  environment: "dev" | "prod";
  mesh: boolean;
  /** The clusters are one mesh (istio.oneMesh): a remote caller's cluster gets the routing too. */
  oneMesh?: boolean;
  ingressController: string;
  app: AppSpec;
  /** Placement: which services each cluster runs (all when `services` is absent). */
  clusters: Array<{ name: string; services?: string[] }>;
}

/**
 * Every problem of `app.traffic`, each naming the key and what would be accepted.
 * `at` is the config path of `app.traffic` (e.g. `platform.app.traffic`).
 */
export function trafficProblems(traffic: TrafficConfig, ctx: TrafficContext, at: string): string[] {
  const problems: string[] = [];
  const byName = new Map(ctx.app.services.map((s) => [s.name, s]));
  const routable = ctx.app.services.filter((s) => !s.stateful && s.probe.type === "http").map((s) => s.name);
  const edges = ctx.app.edges.map((text) => {
    const m = /^\s*([a-z0-9-]+)\s*->\s*([a-z0-9-]+)\s*:/.exec(text);
    return m ? { from: m[1], to: m[2] } : undefined;
  });
  const runsOn = (service: string) =>
    ctx.clusters.filter((k) => k.services === undefined || k.services.includes(service)).map((k) => k.name);
  const front = edges.find((e) => e?.from === "ingress-controller")?.to;

  for (const [name, t] of Object.entries(traffic)) {
    const key = `${at}.${name}`;
    const s = byName.get(name);
    if (!s) {
      problems.push(`${key}: no such service (accepted: ${routable.join(", ")})`);
      continue;
    }
    if (!routable.includes(name)) {
      problems.push(
        `${key}: ${name} is ${s.stateful ? "a StatefulSet" : "a Deployment"} speaking ${s.probe.type === "http" ? "HTTP" : "TCP"}; ` +
          `traffic management routes HTTP Deployments (accepted: ${routable.join(", ")})`,
      );
      continue;
    }
    if (!ctx.mesh) {
      problems.push(
        `${key}: versions, weights, timeouts, retries and faults are applied by Istio's sidecars ` +
          "(DestinationRule subsets + VirtualService); set istio.enabled: true or remove the key",
      );
    }
    const versions = Object.keys(t.versions ?? {});
    if (t.weights && versions.length === 0) {
      problems.push(
        `${key}.weights: weights name versions, and ${name} declares none; add them under ${key}.versions`,
      );
    }
    if (versions.length > 0) {
      for (const w of Object.keys(t.weights ?? {})) {
        if (!versions.includes(w))
          problems.push(`${key}.weights.${w}: no such version (declared: ${versions.join(", ")})`);
      }
      if (versions.length > 1) {
        const missing = versions.filter((v) => t.weights?.[v] === undefined);
        if (missing.length > 0) {
          problems.push(
            `${key}.weights: no weight for ${missing.join(", ")}; give every version a weight ` +
              "(0 deploys it without traffic) and make them sum to 100",
          );
        }
      }
      const sum = versions.reduce((acc, v) => acc + (t.weights?.[v] ?? (versions.length === 1 ? 100 : 0)), 0);
      if (sum !== 100) {
        problems.push(
          `${key}.weights: sum to ${sum} (${versions.map((v) => `${v}: ${t.weights?.[v] ?? 0}`).join(", ")}); they must sum to 100`,
        );
      }
      for (const v of versions) {
        if (`${name}-${v}`.length > 63)
          problems.push(
            `${key}.versions.${v}: the Deployment name "${name}-${v}" is over 63 characters; choose a shorter version name`,
          );
      }
      if (name === front && ctx.ingressController === "nginx-inc") {
        problems.push(
          `${key}.versions: ${name} is the ingress controller's backend, and F5 NGINX sends the public Host header ` +
            "through its sidecar, so no VirtualService split applies to that edge; split it with " +
            "ingress.controller gateway-api (HTTPRoute weights) or ingress-nginx (upstream-vhost), or split a service behind it",
        );
      }
    }
    // The edge from the ingress controller: what its proxy does with each key.
    const sidecarCallers = edges.filter((e) => e?.to === name && byName.has(e.from));
    if (name === front && sidecarCallers.length === 0) {
      if (ctx.ingressController === "nginx-inc" && (t.timeout || t.retries || t.fault)) {
        problems.push(
          `${key}: ${name} is called only by the F5 NGINX controller, whose sidecar sees the public Host header ` +
            "and so applies no VirtualService: timeout, retries and fault would do nothing; remove them, or use " +
            "ingress.controller ingress-nginx or gateway-api",
        );
      }
      if (ctx.ingressController === "gateway-api") {
        for (const k of ["retries", "fault"] as const) {
          if (t[k])
            problems.push(
              `${key}.${k}: ${name} is called only through the Istio gateway, which follows the HTTPRoute ` +
                "(weights and the timeout) and not the VirtualService; remove it (accepted here: versions, weights, timeout)",
            );
        }
      }
    }
    if (t.retries && t.timeout) {
      const tries = t.retries.attempts + 1;
      const budget = tries * durationMs(t.retries.perTryTimeout);
      if (budget > durationMs(t.timeout)) {
        problems.push(
          `${key}.retries: the first try and ${t.retries.attempts} retries of ${t.retries.perTryTimeout} each ` +
            `take up to ${budget}ms, more than timeout ${t.timeout}; lower attempts or perTryTimeout, or raise timeout ` +
            `(accepted: (attempts + 1) x perTryTimeout <= timeout)`,
        );
      }
    }
    if (t.fault) {
      if (!t.fault.delay && !t.fault.abort) {
        problems.push(
          `${key}.fault: names neither delay nor abort; set delay {percent, fixedDelay}, abort {percent, httpStatus}, or both`,
        );
      }
      if (ctx.environment === "prod") {
        problems.push(
          `${key}.fault: fault injection is for resilience tests and refused when environment is prod ` +
            "(the policy pack's istio-virtualservice-no-fault refuses it there too); remove it or test in a dev stack",
        );
      }
      const callers = [
        ...new Set(
          edges.filter((e) => e?.to === name && e.from !== "ingress-controller").map((e) => e!.from),
        ),
      ];
      for (const f of t.fault.from ?? []) {
        if (!callers.includes(f))
          problems.push(
            `${key}.fault.from: ${f} has no edge to ${name} (callers with a sidecar: ${callers.join(", ") || "none"})`,
          );
      }
    }
    // Cross-cluster callers dial through Submariner, and no sidecar there knows this cluster's
    // subsets; under one mesh their own cluster gets the routing (lib/cluster-plan.ts).
    const here = runsOn(name);
    const remoteCallers = edges
      .filter((e) => e?.to === name && byName.has(e.from))
      .map((e) => e!.from)
      .filter((c) => runsOn(c).some((k) => !here.includes(k)));
    if (ctx.clusters.length > 1 && remoteCallers.length > 0 && !ctx.oneMesh) {
      problems.push(
        `${key}: ${name} is called across clusters by ${[...new Set(remoteCallers)].join(", ")} (through Submariner), ` +
          "where no sidecar applies this cluster's VirtualService; manage traffic only for services whose callers " +
          "share their cluster, or make the clusters one mesh (istio.oneMesh: true)",
      );
    }
  }
  return problems;
}

function deepCopy<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/**
 * The objects of one app service, versions included: without versions exactly
 * microserviceObjects; with them, the ServiceAccount and the Service (selecting every
 * version by name) once, then per version a Deployment `<service>-<version>` whose
 * pods and selector carry `version: <version>`, and its own HPA and PDB where the
 * stack asks, so the pack's workload rules (PSS, resources, probes, HA) see each one.
 */
export function serviceObjects(s: ServiceSpec, o: WorkloadOptions): K8sObject[] {
  if (!s.versions || s.versions.length === 0 || s.stateful) return microserviceObjects(s, o);
  const shared = microserviceObjects(s, o).filter((x) => x.kind === "ServiceAccount" || x.kind === "Service");
  const perVersion = s.versions.flatMap((v) => {
    const name = `${s.name}-${v.name}`;
    const objs = deepCopy(
      microserviceObjects({ ...s, image: v.image }, { ...o, replicas: v.replicas ?? o.replicas }).filter(
        (x) => ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"].includes(x.kind),
      ),
    );
    for (const x of objs) {
      x.metadata.name = name;
      x.metadata.labels = { ...x.metadata.labels, [VERSION_LABEL]: v.name };
      const spec = x.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (x.kind === "Deployment") {
        spec.selector.matchLabels[VERSION_LABEL] = v.name;
        spec.template.metadata.labels[VERSION_LABEL] = v.name;
      } else if (x.kind === "PodDisruptionBudget") {
        spec.selector.matchLabels[VERSION_LABEL] = v.name;
      } else {
        spec.scaleTargetRef.name = name;
      }
    }
    return objs;
  });
  return [...shared, ...perVersion];
}

function hostOf(app: AppSpec, s: ServiceSpec): string {
  return `${s.name}.${namespaceOf(app, s)}.svc.cluster.local`;
}

type Route = Record<string, unknown>;

function destinations(app: AppSpec, s: ServiceSpec): Route[] {
  const host = hostOf(app, s);
  const port = { number: s.port };
  const live = (s.versions ?? []).filter((v) => v.weight > 0);
  if (live.length === 0) return [{ destination: { host, port } }];
  return live.map((v) => ({ destination: { host, subset: v.name, port }, weight: v.weight }));
}

/**
 * The mesh's routing objects for the services of one cluster that have traffic
 * config: a DestinationRule (subsets) where there are versions, a VirtualService
 * (weights, timeout, retries, faults). The fault route comes first, matched on the
 * callers' `app.kubernetes.io/name` when `fault.from` names them.
 *
 * `remoteCallees`: under one mesh, the services called from this cluster that run on
 * others. Their routing is written here too: a sidecar takes its routes from its own
 * cluster's istiod, which reads configuration only from its own cluster.
 */
export function compileTraffic(
  app: ResolvedApp,
  view: ClusterView,
  traffic: TrafficConfig,
  remoteCallees: ReadonlySet<string> = new Set(),
): K8sObject[] {
  const out: K8sObject[] = [];
  for (const s of app.spec.services) {
    const t = traffic[s.name];
    if (!t || !(view.local.has(s.name) || remoteCallees.has(s.name))) continue;
    const namespace = namespaceOf(app.spec, s);
    const host = hostOf(app.spec, s);
    const labels = platformLabels("traffic-management");
    if (s.versions && s.versions.length > 0) {
      out.push({
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: s.name, namespace, labels },
        spec: {
          host,
          subsets: s.versions.map((v) => ({ name: v.name, labels: { [VERSION_LABEL]: v.name } })),
        },
      });
    }
    const common: Route = {
      route: destinations(app.spec, s),
      ...(t.timeout ? { timeout: istioDuration(t.timeout) } : {}),
      ...(t.retries
        ? {
            retries: {
              attempts: t.retries.attempts,
              perTryTimeout: istioDuration(t.retries.perTryTimeout),
              retryOn: t.retries.retryOn,
            },
          }
        : {}),
    };
    const http: Route[] = [];
    if (t.fault) {
      const fault: Route = {};
      if (t.fault.delay)
        fault.delay = {
          percentage: { value: t.fault.delay.percent },
          fixedDelay: istioDuration(t.fault.delay.fixedDelay),
        };
      if (t.fault.abort)
        fault.abort = { percentage: { value: t.fault.abort.percent }, httpStatus: t.fault.abort.httpStatus };
      http.push({
        name: "fault-injection",
        ...(t.fault.from ? { match: t.fault.from.map((f) => ({ sourceLabels: { [NAME_LABEL]: f } })) } : {}),
        fault,
        ...common,
      });
    }
    if (!t.fault || t.fault.from) http.push({ name: "default", ...common });
    out.push({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: s.name, namespace, labels },
      spec: { hosts: [host], http },
    });
  }
  return out;
}

/**
 * Gateway API edge: the Istio gateway follows HTTPRoutes, so a backend with versions is
 * replaced by one ClusterIP Service per version (selecting name and version), weighted,
 * and the route gets the service's timeout. Returns the rewritten objects plus those
 * Services; objects other than HTTPRoutes pass through.
 */
export function weightEdgeRoutes(
  objects: K8sObject[],
  app: ResolvedApp,
  traffic: TrafficConfig,
): K8sObject[] {
  const extra: K8sObject[] = [];
  const rewritten = objects.map((obj) => {
    if (obj.kind !== "HTTPRoute") return obj;
    const route = deepCopy(obj);
    const spec = route.spec as { rules: Array<Record<string, unknown>> };
    for (const rule of spec.rules) {
      const refs = (rule.backendRefs ?? []) as Array<{ name: string; port: number }>;
      const next: Array<Record<string, unknown>> = [];
      for (const ref of refs) {
        const s = app.spec.services.find((x) => x.name === ref.name);
        const t = s ? traffic[s.name] : undefined;
        if (!s || !s.versions || s.versions.length === 0) {
          next.push(ref);
          continue;
        }
        const namespace = namespaceOf(app.spec, s);
        for (const v of s.versions) {
          const name = `${s.name}-${v.name}`;
          extra.push({
            apiVersion: "v1",
            kind: "Service",
            metadata: {
              name,
              namespace,
              labels: platformLabels("traffic-management", { [VERSION_LABEL]: v.name }),
            },
            spec: {
              type: "ClusterIP",
              selector: { [NAME_LABEL]: s.name, [VERSION_LABEL]: v.name },
              ports: [{ name: "http", port: s.port, targetPort: "http", protocol: "TCP" }],
            },
          });
          next.push({ name, port: ref.port, weight: v.weight });
        }
        if (t?.timeout) rule.timeouts = { request: `${durationMs(t.timeout)}ms` };
      }
      rule.backendRefs = next;
    }
    return route;
  });
  return [...rewritten, ...extra];
}
