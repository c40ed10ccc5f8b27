/**
 * TEST HARNESS ONLY: the program as the lifecycle suite runs it against a local cluster
 * (scripts/lib/local-cluster.ts). The suite's workspace points Pulumi.yaml's `main` here;
 * nothing in the program or in `npm run render` / `npm run main` does.
 *
 * Pods on kwok's fake nodes run no process, so no admission webhook (Istio's sidecar
 * injector and validator, cert-manager's webhook, the Prometheus operator's) can ever
 * answer, and the API server would refuse every object a webhook with failurePolicy Fail
 * matches. The transform below keeps each webhook configuration object (so it is still
 * created, read back and deleted) but empties its `webhooks` list. Left unverified by the
 * suite, as README "Local cluster" says: sidecar injection, the webhooks' own validation.
 *
 * Likewise no cert-manager controller runs, so no Certificate ever becomes Ready: the
 * program's wait for one (the one-mesh intermediate CA istiod waits for, lib/addons/mesh.ts)
 * is dropped here, and the Certificate is only created and read back. Left unverified:
 * that cert-manager issues it into `cacerts`.
 */
import * as pulumi from "@pulumi/pulumi";

const WEBHOOK_CONFIGURATIONS = new Set([
  "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
  "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
]);

const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";

/** A custom resource's props without the `pulumi.com/waitFor` annotation. */
function withoutReadinessWait(props: Record<string, unknown>): Record<string, unknown> {
  const metadata = (props.metadata ?? {}) as { annotations?: Record<string, string> };
  if (!metadata.annotations?.["pulumi.com/waitFor"]) return props;
  const annotations = { ...metadata.annotations };
  delete annotations["pulumi.com/waitFor"];
  // No annotations key at all rather than an empty map, which the server drops and a
  // refresh would then report as drift.
  const { annotations: _dropped, ...rest } = metadata;
  void _dropped;
  return {
    ...props,
    metadata: Object.keys(annotations).length > 0 ? { ...rest, annotations } : rest,
  };
}

pulumi.runtime.registerResourceTransform((args) => {
  if (WEBHOOK_CONFIGURATIONS.has(args.type))
    return { props: { ...args.props, webhooks: [] }, opts: args.opts };
  if (args.type === CERTIFICATE) return { props: withoutReadinessWait(args.props), opts: args.opts };
  return undefined;
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
export = require("../../index");
