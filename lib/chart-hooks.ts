/**
 * Helm hooks the program creates itself. The Kubernetes provider's v4 Chart renders with
 * Helm hooks disabled, so a chart's hook objects are never created; where the platform
 * needs one, the program builds it from an object the chart does render, so it follows
 * the chart's version and values:
 *   - cilium: `hubble.tls.auto.method: cronJob` issues Hubble's certificates from the
 *     CronJob `hubble-generate-certs`, and its first run is the chart's post-install hook
 *     Job of the same name. Without that Job, Hubble Relay has no certificates until the
 *     CronJob's schedule fires (every four months by default). The Job is the CronJob's
 *     own `jobTemplate` (as lib/chart-rewrites.ts sends it: non-root, read-only root
 *     filesystem), so it passes the pack wherever the CronJob does.
 */
import { ChartKey } from "./charts";
import { CERTGEN_NAME } from "./chart-rewrites";
import { K8sObject } from "./k8s-object";

type Props = Record<string, unknown>;

interface CronJobProps {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: { jobTemplate?: { metadata?: { labels?: Record<string, string> }; spec?: Props } };
}

/**
 * Cilium's first certgen run: a Job named like the chart's post-install hook
 * (`hubble-generate-certs`; the CronJob's own runs are `hubble-generate-certs-<time>`),
 * with the CronJob's job spec. `ttlSecondsAfterFinished` is left out: the Job is in the
 * stack's state, and a Job the TTL controller deletes would show as drift on refresh
 * and be created again by the next `up`.
 */
export function firstCertgenJob(cronJob: Props): K8sObject {
  const c = cronJob as CronJobProps;
  const template = c.spec?.jobTemplate;
  if (!template?.spec) {
    throw new Error(
      `cilium: CronJob ${c.metadata?.namespace ?? ""}/${CERTGEN_NAME} has no spec.jobTemplate.spec to build Hubble's first certgen Job from`,
    );
  }
  const spec = { ...template.spec };
  delete spec.ttlSecondsAfterFinished;
  const labels = { ...c.metadata?.labels, ...template.metadata?.labels };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: CERTGEN_NAME,
      ...(c.metadata?.namespace ? { namespace: c.metadata.namespace } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
    },
    spec,
  };
}

/**
 * The objects the program creates beside one object chart `key` rendered (`props` as the
 * program sends it, after lib/chart-rewrites.ts): the hooks the chart would have run.
 */
export function hookObjectsFor(key: ChartKey, type: string, props: Props): K8sObject[] {
  const name = (props.metadata as { name?: string } | undefined)?.name;
  if (key === "cilium" && type === "kubernetes:batch/v1:CronJob" && name === CERTGEN_NAME) {
    return [firstCertgenJob(props)];
  }
  return [];
}
