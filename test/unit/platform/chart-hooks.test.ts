import { strict as assert } from "assert";
import { CERTGEN_NAME } from "../../../lib/chart-rewrites";
import { firstCertgenJob, hookObjectsFor } from "../../../lib/chart-hooks";

const CRONJOB = "kubernetes:batch/v1:CronJob";

function cronJob(jobSpec: Record<string, unknown> | undefined, name = CERTGEN_NAME) {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "kube-system", labels: { "k8s-app": CERTGEN_NAME } },
    spec: {
      schedule: "0 0 1 */4 *",
      concurrencyPolicy: "Forbid",
      ...(jobSpec ? { jobTemplate: { spec: jobSpec } } : {}),
    },
  };
}

const JOB_SPEC = {
  template: {
    metadata: { labels: { "k8s-app": CERTGEN_NAME } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 65534 },
      containers: [{ name: "certgen", image: "quay.io/cilium/certgen:v0.2.4" }],
      restartPolicy: "OnFailure",
    },
  },
  ttlSecondsAfterFinished: 1800,
};

describe("Helm hooks the program creates (lib/chart-hooks.ts)", () => {
  it("builds Hubble's first certgen Job from the CronJob's job template, without the TTL", () => {
    const job = firstCertgenJob(cronJob(JOB_SPEC));
    assert.equal(job.apiVersion, "batch/v1");
    assert.equal(job.kind, "Job");
    assert.deepEqual(job.metadata, {
      name: "hubble-generate-certs",
      namespace: "kube-system",
      labels: { "k8s-app": CERTGEN_NAME },
    });
    // The pod is the CronJob's own: same containers, same securityContext.
    assert.deepEqual((job.spec as { template: unknown }).template, JOB_SPEC.template);
    // A Job in the stack's state that the TTL controller deletes would be drift on refresh.
    assert.equal("ttlSecondsAfterFinished" in (job.spec as object), false);
    // The CronJob is not changed.
    assert.equal(JOB_SPEC.ttlSecondsAfterFinished, 1800);
  });

  it("creates the Job only beside Cilium's certgen CronJob", () => {
    assert.equal(hookObjectsFor("cilium", CRONJOB, cronJob(JOB_SPEC)).length, 1);
    assert.deepEqual(hookObjectsFor("cilium", CRONJOB, cronJob(JOB_SPEC, "other")), []);
    assert.deepEqual(hookObjectsFor("cilium", "kubernetes:batch/v1:Job", cronJob(JOB_SPEC)), []);
    assert.deepEqual(hookObjectsFor("kubePrometheusStack", CRONJOB, cronJob(JOB_SPEC)), []);
  });

  it("refuses a certgen CronJob without a job template, naming it", () => {
    assert.throws(
      () => hookObjectsFor("cilium", CRONJOB, cronJob(undefined)),
      /CronJob kube-system\/hubble-generate-certs has no spec\.jobTemplate\.spec/,
    );
  });
});
