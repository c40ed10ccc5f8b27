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
 */
import * as pulumi from "@pulumi/pulumi";

const WEBHOOK_CONFIGURATIONS = new Set([
  "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
  "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
]);

pulumi.runtime.registerResourceTransform((args) =>
  WEBHOOK_CONFIGURATIONS.has(args.type)
    ? { props: { ...args.props, webhooks: [] }, opts: args.opts }
    : undefined,
);

// eslint-disable-next-line @typescript-eslint/no-require-imports
export = require("../../index");
