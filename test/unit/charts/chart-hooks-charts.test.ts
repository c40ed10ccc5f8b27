/**
 * Hubble's first certgen Job (lib/chart-hooks.ts) from the real Cilium chart: `helm template`
 * of the chart with prod's values, as the program sends its objects (tests' stack-charts
 * support), next to what the chart's own post-install hook would have been.
 */
import { strict as assert } from "assert";
import { K8sObject } from "../../../lib/k8s-object";
import { CERTGEN_NAME } from "../../../lib/chart-rewrites";
import { helmTemplate, preparedChartMirror } from "../../support/charts";
import { renderStackCharts } from "../../support/stack-charts";

type PodSpec = {
  securityContext?: Record<string, unknown>;
  containers: Array<{ securityContext?: Record<string, unknown>; resources?: unknown }>;
};
type JobSpec = { template: { spec: PodSpec }; ttlSecondsAfterFinished?: number };

describe("Hubble's first certgen Job from the real Cilium chart", function () {
  this.timeout(600_000);

  it("prod: the Job runs the CronJob's pod, as non-root, and replaces the chart's hook", async () => {
    const stack = await renderStackCharts("prod", preparedChartMirror());
    const cilium = stack.charts.find((c) => c.key === "cilium");
    assert.ok(cilium, "prod installs Cilium");
    const named = (kind: string) =>
      cilium.objects.filter((o) => o.kind === kind && o.metadata.name === CERTGEN_NAME);
    const [cron] = named("CronJob");
    const jobs = named("Job");
    assert.ok(cron, "the chart renders the certgen CronJob");
    assert.equal(
      jobs.length,
      1,
      "one Job hubble-generate-certs: the program's, in place of the chart's hook",
    );
    const job = jobs[0];
    assert.equal(job.metadata.namespace, "kube-system");
    assert.equal((job.metadata.annotations ?? {})["helm.sh/hook"], undefined, "not the chart's hook");
    const cronJob = (cron.spec as { jobTemplate: { spec: JobSpec } }).jobTemplate.spec;
    const spec = job.spec as JobSpec;
    assert.deepEqual(spec.template, cronJob.template, "the CronJob's pod template");
    assert.equal(spec.template.spec.securityContext?.runAsNonRoot, true);
    assert.equal(spec.template.spec.containers[0].securityContext?.readOnlyRootFilesystem, true);
    assert.ok(spec.template.spec.containers[0].resources, "prod's certgen resources");
    assert.equal(spec.ttlSecondsAfterFinished, undefined);
    assert.equal(cronJob.ttlSecondsAfterFinished, 1800, "the CronJob keeps the chart's TTL");
  });

  it("the chart's own hook Job is the same pod (what the provider's hooks-disabled render loses)", async () => {
    const stack = await renderStackCharts("prod", preparedChartMirror());
    const cilium = stack.charts.find((c) => c.key === "cilium")!;
    const hook = helmTemplate(cilium.dir, { ...cilium, hooks: true }).find(
      (o: K8sObject) => o.kind === "Job" && o.metadata.name === CERTGEN_NAME,
    );
    assert.ok(hook, "helm template prints the post-install hook");
    assert.match(String(hook.metadata.annotations?.["helm.sh/hook"]), /post-install/);
    const ours = cilium.objects.find((o) => o.kind === "Job" && o.metadata.name === CERTGEN_NAME)!;
    // Same command, arguments and certificate config; only our non-root rewrite differs.
    const container = (o: K8sObject) => {
      const c = (o.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template
        .spec.containers[0];
      return { image: c.image, command: c.command, args: c.args, env: c.env };
    };
    assert.deepEqual(container(ours), container(hook));
  });
});
