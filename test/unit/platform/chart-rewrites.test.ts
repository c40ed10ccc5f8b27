import { strict as assert } from "assert";
import { CERTGEN_NAME, rewriteChartObject } from "../../../lib/chart-rewrites";

const pod = {
  securityContext: { seccompProfile: { type: "RuntimeDefault" } },
  containers: [{ name: "certgen" }],
};

describe("chart objects as the program sends them", () => {
  it("runs Cilium's certgen Job and CronJob as non-root with a read-only root filesystem", () => {
    const job = { metadata: { name: CERTGEN_NAME }, spec: { template: { spec: pod } } };
    const out = rewriteChartObject("cilium", "kubernetes:batch/v1:Job", job) as typeof job & {
      spec: {
        template: {
          spec: { securityContext: Record<string, unknown>; containers: Array<Record<string, unknown>> };
        };
      };
    };
    assert.deepEqual(out.spec.template.spec.securityContext, {
      seccompProfile: { type: "RuntimeDefault" },
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
    });
    assert.deepEqual(out.spec.template.spec.containers[0].securityContext, { readOnlyRootFilesystem: true });
    const cron = {
      metadata: { name: CERTGEN_NAME },
      spec: { jobTemplate: { spec: { template: { spec: pod } } } },
    };
    const c = rewriteChartObject("cilium", "kubernetes:batch/v1:CronJob", cron) as {
      spec: { jobTemplate: { spec: { template: { spec: { securityContext: Record<string, unknown> } } } } };
    };
    assert.equal(c.spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot, true);
    // Only certgen, only in Cilium's chart.
    assert.equal(
      rewriteChartObject("cilium", "kubernetes:batch/v1:Job", { ...job, metadata: { name: "other" } }),
      undefined,
    );
    assert.equal(rewriteChartObject("kiali", "kubernetes:batch/v1:Job", job), undefined);
  });

  it("puts certgen's limits and requests back under resources, where Cilium's chart misplaces them", () => {
    const limits = { cpu: "500m", memory: "256Mi" };
    const requests = { cpu: "50m", memory: "64Mi" };
    const job = {
      metadata: { name: CERTGEN_NAME },
      spec: { template: { spec: { containers: [{ name: "certgen", resources: null, limits, requests }] } } },
    };
    const out = rewriteChartObject("cilium", "kubernetes:batch/v1:Job", job) as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    const c = out.spec.template.spec.containers[0];
    assert.deepEqual(c.resources, { limits, requests });
    assert.equal("limits" in c, false);
    assert.equal("requests" in c, false);
    // Resources already in place are left alone.
    const placed = { name: "certgen", resources: { limits } };
    const kept = rewriteChartObject("cilium", "kubernetes:batch/v1:Job", {
      ...job,
      spec: { template: { spec: { containers: [placed] } } },
    }) as typeof out;
    assert.deepEqual(kept.spec.template.spec.containers[0].resources, { limits });
  });

  it("rewrites the Submariner resource only in the operator chart, and server forms in every chart", () => {
    const cr = { spec: { brokerK8sApiServerToken: "", ceIPSecPSK: "" } };
    const type = "kubernetes:submariner.io/v1alpha1:Submariner";
    assert.ok(rewriteChartObject("submarinerOperator", type, cr));
    assert.equal(rewriteChartObject("cilium", type, cr), undefined);
    const role = { metadata: { name: "r" }, rules: [] };
    assert.deepEqual(
      rewriteChartObject("kubePrometheusStack", "kubernetes:rbac.authorization.k8s.io/v1:Role", role),
      {
        metadata: { name: "r" },
      },
    );
  });
});
