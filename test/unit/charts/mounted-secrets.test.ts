/**
 * Every Secret an add-on's pod mounts exists once the program's objects are applied: a
 * Secret among the chart's or the program's objects, or one a cert-manager Certificate
 * there issues. The provider never runs Helm hooks, so a Secret only a hook Job would
 * make (kube-prometheus-stack's `kps-admission`, before cert-manager issued it) leaves
 * its pod waiting forever on a real cluster, while kwok and a render show nothing wrong.
 */
import { strict as assert } from "assert";
import { K8sObject } from "../../../lib/k8s-object";
import { helmTemplate, preparedChartMirror } from "../../support/charts";
import { renderStackCharts, stackCharts } from "../../support/stack-charts";

type Volume = {
  name: string;
  secret?: { secretName?: string; optional?: boolean };
  projected?: { sources?: Array<{ secret?: { name?: string; optional?: boolean } }> };
};

/** Secrets made at run time by a workload the program creates, with who makes them. */
const MADE_AT_RUN_TIME: Record<string, string> = {
  // Cilium's certgen (the Job lib/chart-hooks.ts creates, then the CronJob) writes Hubble's TLS.
  "kube-system/hubble-server-certs": "Cilium's certgen Job",
  "kube-system/hubble-relay-client-certs": "Cilium's certgen Job",
};

function podSpecOf(o: K8sObject): { volumes?: Volume[] } | undefined {
  const spec = o.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (o.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      return spec?.template?.spec;
    case "CronJob":
      return spec?.jobTemplate?.spec?.template?.spec;
    case "Pod":
      return spec;
    default:
      return undefined;
  }
}

/** `namespace/name` of every Secret a pod template needs (optional ones left out). */
export function requiredSecrets(o: K8sObject): string[] {
  const ns = o.metadata.namespace ?? "";
  const out: string[] = [];
  for (const v of podSpecOf(o)?.volumes ?? []) {
    if (v.secret?.secretName && !v.secret.optional) out.push(`${ns}/${v.secret.secretName}`);
    for (const s of v.projected?.sources ?? []) {
      if (s.secret?.name && !s.secret.optional) out.push(`${ns}/${s.secret.name}`);
    }
  }
  return out;
}

/** `namespace/name` of every Secret the objects create or have cert-manager issue. */
export function providedSecrets(objects: K8sObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    const ns = o.metadata.namespace ?? "";
    if (o.kind === "Secret") out.add(`${ns}/${o.metadata.name}`);
    const secretName = (o.spec as { secretName?: unknown } | undefined)?.secretName;
    if (o.kind === "Certificate" && typeof secretName === "string") out.add(`${ns}/${secretName}`);
  }
  return out;
}

/** Each Secret a chart's pod needs that nothing creates, issues or makes at run time. */
function missingSecrets(
  manifests: K8sObject[],
  charts: Array<{ key: string; objects: K8sObject[] }>,
): string[] {
  const provided = providedSecrets([...manifests, ...charts.flatMap((c) => c.objects)]);
  return charts.flatMap((c) =>
    c.objects.flatMap((o) =>
      requiredSecrets(o)
        .filter((ref) => !provided.has(ref) && !(ref in MADE_AT_RUN_TIME))
        .map((ref) => `${c.key}: ${o.kind} ${o.metadata.name} mounts ${ref}`),
    ),
  );
}

describe("Secrets the add-ons mount exist without Helm hooks (real charts)", function () {
  this.timeout(600_000);
  for (const stack of ["dev", "prod", "multi-cluster"]) {
    it(`${stack}: every non-optional Secret volume is created or issued`, async () => {
      const s = await renderStackCharts(stack, preparedChartMirror());
      assert.deepEqual(missingSecrets(s.manifests, s.charts), []);
    });
  }

  it("prod with ingress-nginx: the admission webhook's certificate is issued", async () => {
    const { charts, manifests } = await stackCharts("prod", preparedChartMirror(), (p) => {
      p.ingress = { ...(p.ingress as object), controller: "ingress-nginx" };
    });
    const rendered = charts.map((c) => ({ ...c, objects: helmTemplate(c.dir, c) }));
    const controller = rendered
      .find((c) => c.key === "ingressNginx")
      ?.objects.find((o) => o.kind === "Deployment");
    assert.ok(controller, "ingress-nginx's controller Deployment");
    assert.ok(requiredSecrets(controller).length > 0, "the controller mounts its webhook certificate");
    assert.deepEqual(missingSecrets(manifests, rendered), []);
  });

  it("finds a Secret only a hook would make (the checker can fail)", () => {
    const operator: K8sObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "op", namespace: "monitoring" },
      spec: { template: { spec: { volumes: [{ name: "tls", secret: { secretName: "kps-admission" } }] } } },
    };
    assert.deepEqual(requiredSecrets(operator), ["monitoring/kps-admission"]);
    assert.equal(providedSecrets([operator]).has("monitoring/kps-admission"), false);
    const cert: K8sObject = {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "kps-admission", namespace: "monitoring" },
      spec: { secretName: "kps-admission" },
    };
    assert.equal(providedSecrets([cert]).has("monitoring/kps-admission"), true);
  });
});
