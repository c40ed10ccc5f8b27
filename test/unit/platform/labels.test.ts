/**
 * One meaning per label key: `app.kubernetes.io/part-of` is the application an object
 * belongs to (the app's pods, selected by it), and `netplat.dev/managed` marks every
 * object the program writes. Before, platform objects carried `part-of: k8s-netplat`
 * while the app's pods carried `part-of: <app>` and the policies selected by that.
 */
import { strict as assert } from "assert";
import { parsePlatformConfig } from "../../../lib/config";
import { clusterPlanObjects, planCluster } from "../../../lib/cluster-plan";
import { resolveApp } from "../../../lib/intent";
import { PART_OF_LABEL } from "../../../lib/intent/labels";
import { K8sObject, MANAGED_LABEL, platformLabels } from "../../../lib/k8s-object";
import { readRawPlatformConfig, stackFile, STACK_NAMES } from "../../../lib/stack-file";

const id = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** The pod template's labels of a workload object, if it is one. */
function podTemplateLabels(o: K8sObject): Record<string, string> | undefined {
  const spec = o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.labels;
}

describe("label keys: one meaning each", () => {
  it("platformLabels marks the object as the program's, and says nothing about which app it is part of", () => {
    const labels = platformLabels("istio", { extra: "x" });
    assert.equal(labels[MANAGED_LABEL], "true");
    assert.equal(labels["app.kubernetes.io/managed-by"], "pulumi");
    assert.equal(labels["app.kubernetes.io/component"], "istio");
    assert.ok(!(PART_OF_LABEL in labels), JSON.stringify(labels));
  });

  for (const stack of STACK_NAMES) {
    describe(`stack ${stack}`, () => {
      const platform = parsePlatformConfig(readRawPlatformConfig(stackFile(stack)));
      const app = resolveApp(platform.app.spec);
      const appName = app.spec.namespace;

      for (const cluster of platform.clusters) {
        const plan = planCluster(platform, app, cluster.name);
        const objects = clusterPlanObjects(plan);

        it(`${cluster.name}: part-of, wherever set, names the app (${appName}), never the platform`, () => {
          const wrong = objects
            .map((o) => [id(o), o.metadata.labels?.[PART_OF_LABEL]] as const)
            .filter(([, v]) => v !== undefined && v !== appName);
          assert.deepEqual(wrong, []);
        });

        it(`${cluster.name}: every object the plan writes carries ${MANAGED_LABEL}, or is an app workload labelled part-of ${appName}`, () => {
          const unmarked = objects
            .filter(
              (o) =>
                o.metadata.labels?.[MANAGED_LABEL] !== "true" &&
                o.metadata.labels?.[PART_OF_LABEL] !== appName,
            )
            .map(id);
          assert.deepEqual(unmarked, []);
          assert.ok(objects.some((o) => o.metadata.labels?.[MANAGED_LABEL] === "true"));
        });

        it(`${cluster.name}: the app-pods selector (part-of: ${appName}) selects every app service's pods, and no pod template carries the platform marker`, () => {
          const local = app.spec.services.filter((s) => plan.view.local.has(s.name));
          const selected = objects
            .filter((o) => podTemplateLabels(o)?.[PART_OF_LABEL] === appName)
            .map((o) => o.metadata.name)
            .sort();
          const workloads = objects.filter((o) => podTemplateLabels(o) !== undefined).map(id);
          assert.ok(selected.length > 0, `no pod template is part-of ${appName}: ${workloads.join(", ")}`);
          for (const s of local) {
            assert.ok(
              selected.some((n) => n === s.name || n.startsWith(`${s.name}-`)),
              `${s.name} is not selected by part-of ${appName}: ${selected.join(", ")}`,
            );
          }
          // A platform object whose labels were copied onto a pod would carry the marker.
          const marked = objects.filter((o) => podTemplateLabels(o)?.[MANAGED_LABEL] !== undefined).map(id);
          assert.deepEqual(marked, []);
        });
      }
    });
  }
});
