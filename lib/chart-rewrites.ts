/**
 * Changes the program makes to single objects a chart renders, where no chart value
 * reaches, applied by components/helm.ts to every chart's objects (and by the tests to
 * `helm template` output, so they judge what the program sends):
 *   - cilium: the certgen Job and CronJob (Hubble's TLS) run as non-root: the chart
 *     fixes their securityContext, and the certgen image (a static binary on `scratch`,
 *     talking only to the API server) has no USER, so it would run as root; and the
 *     chart misplaces `certgen.resources` (see certgenResources);
 *   - submarinerOperator: the `Submariner` resource names the Secrets holding the broker
 *     token and the IPsec PSK instead of holding them (lib/addons/submariner.ts);
 *   - istioGateway: the egress gateway's proxy gets a liveness probe (the chart has a value
 *     for the readiness probe only; lib/addons/istio-egress.ts);
 *   - every chart: objects as the API server stores them (lib/server-form.ts).
 */
import { ChartKey } from "./charts";
import { submarinerWithSecretRefs } from "./addons/submariner";
import { asServerStores } from "./server-form";
import { EGRESS_GATEWAY_LIVENESS_PROBE, ISTIO_EGRESS_GATEWAY_NAME } from "./addons/istio-egress";

type Props = Record<string, unknown>;
type Rewrite = (type: string, props: Props) => Props | undefined;

/** The name Cilium's chart gives the Job and the CronJob that generate Hubble's certificates. */
export const CERTGEN_NAME = "hubble-generate-certs";
/** `nobody`: certgen needs no file of its own, only its service-account token (world-readable). */
const NON_ROOT = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 };

type Container = { securityContext?: Props; resources?: Props | null; limits?: unknown; requests?: unknown };
type PodSpec = { securityContext?: Props; containers?: Array<Container> };

/**
 * Cilium 1.18's certgen template indents `certgen.resources` one level short, so `limits`
 * and `requests` land beside `resources: null` as container fields the API server does not
 * know (server-side apply rejects undeclared fields; not tried here) and the values never
 * apply; put them back under `resources`.
 */
function certgenResources(c: Container): Container {
  if (c.resources || (c.limits === undefined && c.requests === undefined)) return c;
  const { limits, requests, ...rest } = c;
  return {
    ...rest,
    resources: {
      ...(limits !== undefined ? { limits } : {}),
      ...(requests !== undefined ? { requests } : {}),
    },
  };
}

function nonRootPod(spec: PodSpec): PodSpec {
  return {
    ...spec,
    securityContext: { ...spec.securityContext, ...NON_ROOT },
    containers: (spec.containers ?? []).map((c) => ({
      ...certgenResources(c),
      securityContext: { ...c.securityContext, readOnlyRootFilesystem: true },
    })),
  };
}

/** Cilium's certgen Job / CronJob as non-root with a read-only root filesystem, its resources where they belong. */
export function certgenNonRoot(type: string, props: Props): Props | undefined {
  const name = (props.metadata as { name?: string } | undefined)?.name;
  if (name !== CERTGEN_NAME) return undefined;
  if (type === "kubernetes:batch/v1:Job") {
    const spec = props.spec as { template: { spec: PodSpec } };
    return {
      ...props,
      spec: { ...spec, template: { ...spec.template, spec: nonRootPod(spec.template.spec) } },
    };
  }
  if (type === "kubernetes:batch/v1:CronJob") {
    const spec = props.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } };
    const job = spec.jobTemplate.spec;
    return {
      ...props,
      spec: {
        ...spec,
        jobTemplate: {
          ...spec.jobTemplate,
          spec: { ...job, template: { ...job.template, spec: nonRootPod(job.template.spec) } },
        },
      },
    };
  }
  return undefined;
}

/** The egress gateway's Deployment with a liveness probe on its proxy container. */
export function egressGatewayLiveness(type: string, props: Props): Props | undefined {
  const name = (props.metadata as { name?: string } | undefined)?.name;
  if (type !== "kubernetes:apps/v1:Deployment" || name !== ISTIO_EGRESS_GATEWAY_NAME) return undefined;
  const spec = props.spec as { template: { spec: { containers?: Array<Props & { name?: string }> } } };
  const pod = spec.template.spec;
  return {
    ...props,
    spec: {
      ...spec,
      template: {
        ...spec.template,
        spec: {
          ...pod,
          containers: (pod.containers ?? []).map((c) =>
            c.name === "istio-proxy"
              ? { ...c, livenessProbe: structuredClone(EGRESS_GATEWAY_LIVENESS_PROBE) }
              : c,
          ),
        },
      },
    },
  };
}

const BY_CHART: Partial<Record<ChartKey, Rewrite>> = {
  cilium: certgenNonRoot,
  istioGateway: egressGatewayLiveness,
  submarinerOperator: submarinerWithSecretRefs,
};

/** One rendered object of chart `key` as the program sends it, or undefined when unchanged. */
export function rewriteChartObject(key: ChartKey, type: string, props: Props): Props | undefined {
  const own = BY_CHART[key]?.(type, props);
  return asServerStores(type, own ?? props) ?? own;
}
