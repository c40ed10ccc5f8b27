/**
 * Stack configuration: one structured key, `k8s-netplat:platform`, parsed into one
 * typed object and validated before any resource is registered. Every error names
 * the key (as a path under `platform`) and what would be accepted.
 */
import { z } from "zod";
import * as fs from "fs";
import { CHART_KEYS, ChartKey, ChartsConfig } from "./charts";
import { cidrsOverlap, parseCidr } from "./cidr";
import { AppSpec } from "./app-spec";
import { SHOP_APP } from "./default-app";
import { ResolvedApp, resolveApp } from "./intent";
import { crossClusterEdges, oneMesh } from "./cross-cluster";
import { alertsSchema } from "./alerts-config";
import { platformPolicyProblems } from "./platform-policy-config";
import { trafficProblems, trafficSchema, withVersions } from "./traffic";
import { OUTBOUND_TRAFFIC_POLICIES, egressGatewayOn, egressProblems } from "./egress-config";

export const CONFIG_NAMESPACE = "k8s-netplat";
export const CONFIG_KEY = "platform";

const dnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label (lower-case letters, digits, '-')",
  );
const cidr = z.string().superRefine((v, ctx) => {
  try {
    parseCidr(v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
});
const labels = z.record(z.string(), z.string());

export const CNI_PROVIDERS = ["calico", "cilium", "flannel"] as const;
export const KUBE_PROXY_MODES = ["iptables", "ipvs", "nftables", "kube-proxy-replacement"] as const;
export const INGRESS_CONTROLLERS = ["nginx-inc", "ingress-nginx", "gateway-api"] as const;
export const ISSUERS = ["selfsigned", "letsencrypt-staging", "letsencrypt-prod"] as const;

/**
 * Where each ingress controller lives unless `ingress.namespace` says otherwise: the
 * namespace its own install guide uses (F5 NGINX: nginx-ingress; community
 * ingress-nginx: ingress-nginx). For gateway-api the namespace holds our Gateway and the
 * proxy Istio deploys for it; not `istio-ingress`, which the classic Istio ingress
 * gateway (`istio.ingressGateway`) uses.
 */
export const DEFAULT_INGRESS_NAMESPACE: Readonly<Record<(typeof INGRESS_CONTROLLERS)[number], string>> = {
  "nginx-inc": "nginx-ingress",
  "ingress-nginx": "ingress-nginx",
  "gateway-api": "gateway-ingress",
};

/** Namespaces the platform's add-ons use; the user's namespaces must differ from them. */
export const ADDON_NAMESPACES = {
  certManager: "cert-manager",
  monitoring: "monitoring",
  istioIngress: "istio-ingress",
  istioEgress: "istio-egress",
  submarinerOperator: "submariner-operator",
  submarinerBroker: "submariner-k8s-broker",
  cni: { calico: "tigera-operator", cilium: "kube-system", flannel: "kube-flannel" },
} as const;
/** Kubernetes' own namespaces. */
const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

const clusterSchema = z
  .object({
    /** Cluster id: Submariner's cluster id and the prefix of every resource of this cluster. */
    name: dnsLabel,
    /** kubeconfig context; the kubeconfig itself comes from the secret `kubeconfigs.<name>` or the environment. */
    context: z.string().min(1).optional(),
    /**
     * The cluster's Kubernetes minor version ("1.34") or release ("v1.34.4"). Render mode
     * requires it and renders charts against a server of that version (never Helm's v1.20
     * default); against a live cluster the provider reads the real version.
     */
    kubernetesVersion: z
      .string()
      .regex(/^v?1\.[0-9]{1,2}(\.[0-9]{1,3})?$/, 'must be a Kubernetes version like "1.34" or "v1.34.4"')
      .optional(),
    podCidr: cidr,
    serviceCidr: cidr,
    cni: z.enum(CNI_PROVIDERS),
    kubeProxyMode: z.enum(KUBE_PROXY_MODES),
    /**
     * The API server address as nodes reach it. Cilium's kube-proxy replacement needs it,
     * since without kube-proxy the `kubernetes` Service's ClusterIP does not work at boot.
     */
    apiServer: z
      .object({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(6443) })
      .strict()
      .optional(),
    /** Which app services run here; all of them when omitted. */
    services: z.array(dnsLabel).optional(),
    /** Nodes that may run the Submariner gateway. */
    gatewayNodeSelector: labels.default({ "submariner.io/gateway": "true" }),
    /** This cluster's Globalnet range; carved from `submariner.globalCidrRange` when omitted. */
    globalCidr: cidr.optional(),
    /**
     * Services the cluster runs in all (other teams' included), published in the platform
     * profile so the policy pack's kube-proxy scale rule judges the whole cluster, not
     * only this stack's Services.
     */
    expectedServiceCount: z.number().int().min(1).optional(),
    /** The API server's address range (webhook calls come from it); see lib/platform-intent.ts. */
    apiServerCidr: cidr.optional(),
    /** The nodes' address range (Prometheus scrapes host-network targets there). */
    nodeCidr: cidr.optional(),
  })
  .strict();

const serviceOverrideSchema = z
  .object({
    image: z.string().min(1).optional(),
    namespace: dnsLabel.optional(),
  })
  .strict();

const appSchema = z
  .object({
    namespace: dnsLabel.default(SHOP_APP.namespace),
    host: z
      .string()
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a fully qualified host name"),
    replicas: z.number().int().min(1).max(100).default(1),
    autoscaling: z
      .object({
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1),
        targetCPUUtilization: z.number().int().min(10).max(100).default(70),
      })
      .strict()
      .optional(),
    podDisruptionBudget: z.boolean().default(false),
    /** Per-service changes to the built-in shop app (image pins, namespaces). */
    services: z.record(dnsLabel, serviceOverrideSchema).default({}),
    /** Address ranges of the external SaaS hosts, by external name. */
    externalCidrs: z.record(dnsLabel, z.array(cidr).min(1)).default({}),
    /** Host names of the external SaaS, by external name (what the ServiceEntry and SNI name). */
    externalHosts: z.record(dnsLabel, z.string().min(1)).default({}),
    /** Replaces the built-in traffic intent; `source -> destination:port[/protocol]`. */
    edges: z.array(z.string()).optional(),
    /** Per-service versions, weights, timeout, retries and faults (lib/traffic.ts). */
    traffic: trafficSchema,
  })
  .strict();

const chartOverrideSchema = z
  .object({
    repository: z.string().url().optional(),
    chart: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
  })
  .strict();

const chartKeyEnum = z.enum(CHART_KEYS);

/** Per-key chart sources, and `mirror`: a directory with one unpacked chart per key. */
const chartsSchema = z
  .object({
    mirror: z.string().min(1).optional(),
    ...(Object.fromEntries(CHART_KEYS.map((k) => [k, chartOverrideSchema.optional()])) as Record<
      ChartKey,
      z.ZodOptional<typeof chartOverrideSchema>
    >),
  })
  .strict();

export const platformSchema = z
  .object({
    environment: z.enum(["dev", "prod"]),
    clusters: z.array(clusterSchema).min(1),
    /**
     * Render mode: write manifests to this folder (a subfolder per cluster when there are
     * several) instead of talking to a cluster.
     */
    render: z
      .object({ directory: z.string().min(1) })
      .strict()
      .optional(),
    istio: z
      .object({
        enabled: z.boolean().default(true),
        /** Revision label of istiod; a canary upgrade installs a second revision beside it. */
        revision: dnsLabel.default("1-27"),
        mtlsMode: z.enum(["STRICT", "PERMISSIVE"]).default("STRICT"),
        ingressGateway: z.boolean().default(false),
        rootNamespace: dnsLabel.default("istio-system"),
        trustDomain: z.string().min(1).default("cluster.local"),
        /**
         * What sidecars do with a host no ServiceEntry or Service names: REGISTRY_ONLY blocks
         * it, ALLOW_ANY passes it through. Default: REGISTRY_ONLY in prod, ALLOW_ANY in dev
         * (lib/egress-config.ts).
         */
        outboundTrafficPolicy: z.enum(OUTBOUND_TRAFFIC_POLICIES).optional(),
        /** The app's external hosts leave through an Istio egress gateway; default: on in prod. */
        egressGateway: z.boolean().optional(),
        /**
         * Multi-cluster: make the clusters one mesh (multi-primary on one network): a shared
         * root CA (the secret `k8s-netplat:meshRootCa`) issues each istiod's CA through
         * cert-manager, and each istiod reads the other clusters' endpoints (remote secrets).
         * Required for cross-cluster edges under STRICT mTLS. See lib/addons/mesh.ts.
         */
        oneMesh: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    ingress: z
      .object({
        controller: z.enum(INGRESS_CONTROLLERS).default("nginx-inc"),
        serviceType: z.enum(["NodePort", "LoadBalancer"]).default("LoadBalancer"),
        /** Default: the controller's usual namespace (see DEFAULT_INGRESS_NAMESPACE). */
        namespace: dnsLabel.optional(),
      })
      .strict()
      .prefault({})
      .transform((i) => ({ ...i, namespace: i.namespace ?? DEFAULT_INGRESS_NAMESPACE[i.controller] })),
    certificates: z
      .object({
        issuer: z.enum(ISSUERS),
        acmeEmail: z.email().optional(),
        /**
         * `component`: @pulumi/kubernetes-cert-manager (a Helm Release that waits for the
         * webhook; needs a reachable cluster and its own plugin). `chart`: the same chart
         * rendered by the Kubernetes provider like every other add-on, which is what
         * previews without a cluster and render mode need.
         */
        installer: z.enum(["component", "chart"]).default("component"),
      })
      .strict(),
    observability: z
      .object({
        enabled: z.boolean().default(false),
        prometheus: z.boolean().default(true),
        grafana: z.boolean().default(true),
        kiali: z.boolean().default(true),
        jaeger: z.boolean().default(true),
        hubble: z.boolean().default(true),
        /** PrometheusRules for drops, certificates, plaintext and the app's edges (lib/alerts.ts). */
        alerts: alertsSchema.prefault({}),
        /** Grafana dashboards of the mesh and the app's edges, as ConfigMaps Grafana's sidecar loads. */
        dashboards: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    submariner: z
      .object({
        broker: dnsLabel,
        globalnet: z.boolean().default(false),
        globalCidrRange: cidr.default("242.0.0.0/8"),
        cableDriver: z.enum(["libreswan", "wireguard", "vxlan"]).default("libreswan"),
      })
      .strict()
      .optional(),
    /** Default-deny plus the add-ons' own flows in the platform namespaces; default: on in prod. */
    platformNetworkPolicies: z.boolean().optional(),
    app: appSchema,
    charts: chartsSchema.default({}),
    /** Helm values deep-merged over the platform's own, per chart. */
    values: z.partialRecord(chartKeyEnum, z.record(z.string(), z.unknown())).default({}),
  })
  .strict();

export type RawPlatformConfig = z.input<typeof platformSchema>;
type Parsed = z.output<typeof platformSchema>;
export type ClusterConfig = Parsed["clusters"][number];

export interface PlatformConfig extends Omit<Parsed, "app" | "charts"> {
  charts: ChartsConfig;
  app: Parsed["app"] & { spec: AppSpec };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid stack configuration (${CONFIG_NAMESPACE}:${CONFIG_KEY}):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${String(p)}`),
    CONFIG_KEY,
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = pathText(issue.path);
  if (issue.code === "unrecognized_keys") {
    return `${where}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  const got = "input" in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : "";
  return `${where}: ${issue.message}${got}`;
}

/** The app with the stack's overrides applied (images, namespaces, external ranges, edges). */
function effectiveApp(app: Parsed["app"]): AppSpec {
  return {
    namespace: app.namespace,
    services: SHOP_APP.services.map((s) =>
      withVersions({ ...s, ...app.services[s.name] }, app.traffic[s.name]),
    ),
    externals: SHOP_APP.externals.map((e) => ({
      ...e,
      host: app.externalHosts[e.name] ?? e.host,
      cidrs: app.externalCidrs[e.name] ?? e.cidrs,
    })),
    edges: app.edges ?? SHOP_APP.edges,
  };
}

/** False when either side does not parse: the schema has reported that already. */
function rangesOverlap(a: string, b: string): boolean {
  try {
    return cidrsOverlap(parseCidr(a), parseCidr(b));
  } catch {
    return false;
  }
}

/** Whether the user wrote the key at `path` (a default fills it in otherwise). */
function isSet(raw: unknown, path: ReadonlyArray<string | number>): boolean {
  let at: unknown = raw;
  for (const key of path) {
    if (at === null || typeof at !== "object" || !(key in at)) return false;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at !== undefined;
}

/** Who uses a namespace: the config key that chose it, or the add-on that needs it. */
interface NamespaceUse {
  namespace: string;
  /** Uses by the same owner never collide (the app's services may share a namespace). */
  owner: string;
  /** The config key that sets it; absent for namespaces fixed by the program. */
  key?: string;
}

function namespaceUses(c: Parsed): NamespaceUse[] {
  const uses: NamespaceUse[] = [
    { namespace: c.app.namespace, owner: "the app", key: `${CONFIG_KEY}.app.namespace` },
    ...Object.entries(c.app.services)
      .filter(([, o]) => o.namespace !== undefined)
      .map(([name, o]) => ({
        namespace: o.namespace!,
        owner: "the app",
        key: `${CONFIG_KEY}.app.services.${name}.namespace`,
      })),
    {
      namespace: c.ingress.namespace,
      owner: `the ${c.ingress.controller} ingress`,
      key: `${CONFIG_KEY}.ingress.namespace`,
    },
    { namespace: ADDON_NAMESPACES.certManager, owner: "cert-manager" },
    ...SYSTEM_NAMESPACES.map((namespace) => ({ namespace, owner: "Kubernetes" })),
  ];
  if (c.istio.enabled) {
    uses.push({
      namespace: c.istio.rootNamespace,
      owner: "Istio (istiod)",
      key: `${CONFIG_KEY}.istio.rootNamespace`,
    });
    if (c.istio.ingressGateway)
      uses.push({ namespace: ADDON_NAMESPACES.istioIngress, owner: "the Istio ingress gateway" });
    if (egressGatewayOn(c))
      uses.push({ namespace: ADDON_NAMESPACES.istioEgress, owner: "the Istio egress gateway" });
  }
  if (c.observability.enabled) uses.push({ namespace: ADDON_NAMESPACES.monitoring, owner: "observability" });
  for (const k of new Set(c.clusters.map((x) => x.cni))) {
    uses.push({ namespace: ADDON_NAMESPACES.cni[k], owner: `the ${k} CNI` });
  }
  if (c.submariner) {
    uses.push({ namespace: ADDON_NAMESPACES.submarinerOperator, owner: "Submariner" });
    uses.push({ namespace: ADDON_NAMESPACES.submarinerBroker, owner: "the Submariner broker" });
  }
  return uses;
}

/** One problem per namespace a config key chose that another part of the platform also uses. */
function namespaceCollisions(c: Parsed): string[] {
  const uses = namespaceUses(c);
  const problems = new Set<string>();
  for (const u of uses) {
    if (!u.key) continue;
    const others = uses.filter((o) => o.namespace === u.namespace && o.owner !== u.owner);
    if (others.length === 0) continue;
    const taken = [...new Set(uses.filter((o) => o.owner !== u.owner).map((o) => o.namespace))].sort();
    problems.add(
      `${u.key}: namespace "${u.namespace}" of ${u.owner} is also used by ${[...new Set(others.map((o) => o.owner))].join(", ")}; ` +
        `choose a namespace not in use (in use: ${taken.join(", ")})`,
    );
  }
  return [...problems];
}

/** Keys the user set that the chosen mode ignores: refused, since Pulumi warnings go unread. */
function ineffectiveKeys(c: Parsed, raw: unknown): string[] {
  const problems: string[] = [];
  if (!c.submariner) {
    c.clusters.forEach((_, i) => {
      if (isSet(raw, ["clusters", i, "gatewayNodeSelector"])) {
        problems.push(
          `${CONFIG_KEY}.clusters[${i}].gatewayNodeSelector: has no effect without submariner; remove it or configure submariner`,
        );
      }
    });
  }
  if (!c.istio.enabled) {
    // An explicit `false` agrees with the mode; only a request for the feature is refused.
    if (isSet(raw, ["observability", "kiali"]) && c.observability.kiali) {
      problems.push(
        `${CONFIG_KEY}.observability.kiali: Kiali shows the Istio mesh and is not installed with istio.enabled: false; remove it or enable Istio`,
      );
    }
    if (isSet(raw, ["istio", "ingressGateway"]) && c.istio.ingressGateway) {
      problems.push(
        `${CONFIG_KEY}.istio.ingressGateway: has no effect with istio.enabled: false; remove it or enable Istio`,
      );
    }
  }
  const o = c.observability;
  if (isSet(raw, ["observability", "alerts"]) && o.alerts.enabled && !(o.enabled && o.prometheus)) {
    problems.push(
      `${CONFIG_KEY}.observability.alerts: alerts are evaluated by the platform's Prometheus, which is off ` +
        "(needs observability.enabled: true and observability.prometheus: true); remove the key or set alerts.enabled: false",
    );
  }
  if (isSet(raw, ["observability", "dashboards"]) && o.dashboards && !(o.enabled && o.grafana)) {
    problems.push(
      `${CONFIG_KEY}.observability.dashboards: dashboards are loaded by the platform's Grafana, which is off ` +
        "(needs observability.enabled: true and observability.grafana: true); remove the key or set it to false",
    );
  }
  for (const [key, o] of Object.entries(c.charts)) {
    if (typeof o !== "object") continue; // charts.mirror, checked above
    const beside = (["repository", "chart", "version"] as const).filter((f) => o?.[f] !== undefined);
    if (o?.path !== undefined && beside.length > 0) {
      problems.push(
        `${CONFIG_KEY}.charts.${key}: path (a local chart directory) replaces ${beside.join(", ")}, which would be ignored; ` +
          "set either path alone or repository/chart/version",
      );
    }
  }
  return problems;
}

/** Cross-field rules that a schema cannot say: each names the key and the accepted values. */
function semanticProblems(c: Parsed, app: AppSpec, raw: unknown): string[] {
  const problems: string[] = [
    ...namespaceCollisions(c),
    ...ineffectiveKeys(c, raw),
    ...platformPolicyProblems(c),
    ...egressProblems(c, app, raw),
  ];
  const names = c.clusters.map((k) => k.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      problems.push(`${CONFIG_KEY}.clusters[${i}].name: "${n}" is used by another cluster`);
  });
  const serviceNames = new Set(app.services.map((s) => s.name));
  for (const name of Object.keys(c.app.services)) {
    if (!serviceNames.has(name)) {
      problems.push(
        `${CONFIG_KEY}.app.services.${name}: no such service (accepted: ${[...serviceNames].join(", ")})`,
      );
    }
  }
  const externalNames = new Set(app.externals.map((e) => e.name));
  for (const key of ["externalCidrs", "externalHosts"] as const) {
    for (const name of Object.keys(c.app[key])) {
      if (!externalNames.has(name)) {
        problems.push(
          `${CONFIG_KEY}.app.${key}.${name}: no such external (accepted: ${[...externalNames].join(", ")})`,
        );
      }
    }
  }
  c.clusters.forEach((k, i) => {
    const at = `${CONFIG_KEY}.clusters[${i}]`;
    if (k.cni === "flannel" && c.environment !== "dev") {
      problems.push(
        `${at}.cni: flannel does not enforce NetworkPolicy and is accepted only when environment is dev (use calico or cilium)`,
      );
    }
    if (k.kubeProxyMode === "kube-proxy-replacement" && k.cni !== "cilium") {
      problems.push(
        `${at}.kubeProxyMode: kube-proxy-replacement needs cni cilium (accepted with ${k.cni}: iptables, ipvs, nftables)`,
      );
    }
    if (k.kubeProxyMode === "kube-proxy-replacement" && !k.apiServer) {
      problems.push(
        `${at}.apiServer: required with kube-proxy-replacement (the API server host and port nodes reach)`,
      );
    }
    if (rangesOverlap(k.podCidr, k.serviceCidr)) {
      problems.push(`${at}: podCidr (${k.podCidr}) overlaps serviceCidr (${k.serviceCidr})`);
    }
    if (k.services !== undefined && k.services.length === 0) {
      problems.push(
        `${at}.services: an empty list places no service on this cluster; omit the key to run every service, ` +
          `or list some of: ${[...serviceNames].join(", ")}`,
      );
    }
    for (const s of k.services ?? []) {
      if (!serviceNames.has(s)) {
        problems.push(`${at}.services: no such service "${s}" (accepted: ${[...serviceNames].join(", ")})`);
      }
    }
  });
  for (const s of serviceNames) {
    if (!c.clusters.some((k) => k.services === undefined || k.services.includes(s))) {
      problems.push(`${CONFIG_KEY}.clusters[*].services: service "${s}" is placed on no cluster`);
    }
  }
  if (c.clusters.length > 1 && !c.submariner) {
    problems.push(
      `${CONFIG_KEY}.submariner: required when there is more than one cluster (set broker to one of: ${names.join(", ")})`,
    );
  }
  if (c.submariner) {
    const brokerIndex = names.indexOf(c.submariner.broker);
    if (brokerIndex < 0) {
      problems.push(
        `${CONFIG_KEY}.submariner.broker: "${c.submariner.broker}" is not a cluster (accepted: ${names.join(", ")})`,
      );
    } else if (!c.clusters[brokerIndex].apiServer) {
      problems.push(
        `${CONFIG_KEY}.clusters[${brokerIndex}].apiServer: required on the Submariner broker cluster (the API server host and port the other clusters reach)`,
      );
    }
    if (!c.submariner.globalnet && c.clusters.length > 1) {
      // Without Globalnet, Submariner routes real pod and service addresses, so they must be unique across clusters.
      c.clusters.forEach((a, i) =>
        c.clusters.slice(i + 1).forEach((b) => {
          for (const ra of ["podCidr", "serviceCidr"] as const) {
            for (const rb of ["podCidr", "serviceCidr"] as const) {
              if (rangesOverlap(a[ra], b[rb])) {
                problems.push(
                  `${CONFIG_KEY}.clusters: ${a.name} ${ra} (${a[ra]}) overlaps ${b.name} ${rb} (${b[rb]}); ` +
                    "give the clusters disjoint ranges or set submariner.globalnet: true",
                );
              }
            }
          }
        }),
      );
    }
  }
  c.clusters.forEach((a, i) =>
    c.clusters.slice(i + 1).forEach((b, j) => {
      if (a.globalCidr && b.globalCidr && rangesOverlap(a.globalCidr, b.globalCidr)) {
        problems.push(
          `${CONFIG_KEY}.clusters[${i + 1 + j}].globalCidr: ${b.globalCidr} overlaps ${a.name}'s globalCidr ${a.globalCidr}; ` +
            "each cluster needs its own Globalnet range (give disjoint ranges, or omit globalCidr to carve one from submariner.globalCidrRange)",
        );
      }
    }),
  );
  if (c.istio.oneMesh && isSet(raw, ["istio", "oneMesh"])) {
    if (c.clusters.length < 2) {
      problems.push(
        `${CONFIG_KEY}.istio.oneMesh: has no effect with one cluster (it joins several clusters into one mesh); remove it`,
      );
    } else if (!c.istio.enabled) {
      problems.push(
        `${CONFIG_KEY}.istio.oneMesh: has no effect with istio.enabled: false; remove it or enable Istio`,
      );
    } else if (c.submariner?.globalnet) {
      problems.push(
        `${CONFIG_KEY}.istio.oneMesh: needs one network (submariner.globalnet: false, disjoint pod ranges): with ` +
          "Globalnet each cluster is its own Istio network and cross-network traffic needs an east-west gateway, " +
          "which the platform does not install",
      );
    }
  }
  if (c.environment === "prod" && c.istio.enabled && c.istio.mtlsMode !== "STRICT") {
    problems.push(`${CONFIG_KEY}.istio.mtlsMode: prod accepts only STRICT (got ${c.istio.mtlsMode})`);
  }
  if (c.ingress.controller === "gateway-api" && !c.istio.enabled) {
    problems.push(
      `${CONFIG_KEY}.ingress.controller: gateway-api is served by Istio's Gateway implementation; set istio.enabled: true or choose nginx-inc or ingress-nginx`,
    );
  }
  if (c.certificates.issuer !== "selfsigned" && !c.certificates.acmeEmail) {
    problems.push(
      `${CONFIG_KEY}.certificates.acmeEmail: required for Let's Encrypt issuers (an address Let's Encrypt can warn about expiry)`,
    );
  }
  if (c.app.autoscaling && c.app.autoscaling.minReplicas > c.app.autoscaling.maxReplicas) {
    problems.push(
      `${CONFIG_KEY}.app.autoscaling: minReplicas (${c.app.autoscaling.minReplicas}) exceeds maxReplicas (${c.app.autoscaling.maxReplicas})`,
    );
  }
  if (c.render) {
    c.clusters.forEach((k, i) => {
      if (!k.kubernetesVersion) {
        problems.push(
          `${CONFIG_KEY}.clusters[${i}].kubernetesVersion: required in render mode (e.g. "1.34"), so charts ` +
            "are rendered for the version the manifests will be applied to, not Helm's v1.20 default",
        );
      }
    });
  }
  const mirror = c.charts.mirror;
  if (mirror !== undefined && !(fs.existsSync(mirror) && fs.statSync(mirror).isDirectory())) {
    problems.push(
      `${CONFIG_KEY}.charts.mirror: ${mirror} is not a directory (a folder with one unpacked chart per key, e.g. <mirror>/cilium/Chart.yaml)`,
    );
  }
  if (c.render && c.certificates.installer === "component") {
    problems.push(
      `${CONFIG_KEY}.certificates.installer: render mode cannot write a Helm Release as manifests; set installer: chart`,
    );
  }
  return problems;
}

/**
 * Cross-cluster edges under STRICT mTLS need the clusters to be one mesh: otherwise the
 * caller's sidecar does not know the remote pods as mesh endpoints, sends plaintext, and
 * the STRICT destination refuses it (and two self-signed istiods would not trust each
 * other's certificates anyway).
 */
function meshProblems(c: Parsed, app: ResolvedApp): string[] {
  if (!c.istio.enabled || c.istio.mtlsMode !== "STRICT" || c.clusters.length < 2) return [];
  // With oneMesh set, a Globalnet stack is refused by the oneMesh check already.
  if (c.istio.oneMesh) return [];
  return crossClusterEdges(c.clusters, app).map(
    (e) =>
      `${CONFIG_KEY}.app.edges: ${e.from} -> ${e.to} crosses clusters (${e.fromClusters.join(", ")} -> ` +
      `${e.toClusters.join(", ")}) under istio.mtlsMode STRICT, but the clusters are not one mesh, so the ` +
      "call would arrive in plaintext and be refused; set istio.oneMesh: true (one network, submariner.globalnet: false) " +
      "with the secret k8s-netplat:meshRootCa, or place both services on one cluster, or use mtlsMode PERMISSIVE (not in prod)",
  );
}

/**
 * Parses the raw `platform` config object. Throws ConfigError listing every problem
 * found (schema and cross-field) so a user fixes them in one pass.
 */
export function parsePlatformConfig(raw: unknown): PlatformConfig {
  if (raw === undefined || raw === null) {
    throw new ConfigError([
      `${CONFIG_KEY}: missing; set ${CONFIG_NAMESPACE}:${CONFIG_KEY} in stacks/Pulumi.<stack>.yaml`,
    ]);
  }
  const result = platformSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(result.error.issues.map(describeIssue));
  }
  const parsed = result.data;
  const spec = effectiveApp(parsed.app);
  const problems = semanticProblems(parsed, spec, raw);
  try {
    const resolved = resolveApp(spec);
    problems.push(...meshProblems(parsed, resolved));
    // Only once the edges resolve: fault.from and cross-cluster callers are judged by them.
    problems.push(
      ...trafficProblems(
        parsed.app.traffic,
        {
          environment: parsed.environment,
          mesh: parsed.istio.enabled,
          oneMesh: oneMesh(parsed),
          ingressController: parsed.ingress.controller,
          app: spec,
          clusters: parsed.clusters,
        },
        `${CONFIG_KEY}.app.traffic`,
      ),
    );
  } catch (e) {
    problems.push(`${CONFIG_KEY}.app.edges: ${(e as Error).message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...parsed, app: { ...parsed.app, spec } };
}
