/** The mocks harness itself (scripts/lib/under-mocks.ts): what it records per resource. */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Registered, runUnderMocks } from "../../support/program";

/** Two ConfigMaps with the same name under two parents of different types (distinct URNs). */
function twoSameNamed(): void {
  const a = new pulumi.ComponentResource("test:harness:A", "a");
  const b = new pulumi.ComponentResource("test:harness:B", "b");
  new k8s.core.v1.ConfigMap("same", { data: { from: "a" } }, { parent: a });
  new k8s.core.v1.ConfigMap("same", { data: { from: "b" } }, { parent: b });
}

const configMaps = (rs: Registered[]) => rs.filter((r) => r.type === "kubernetes:core/v1:ConfigMap");

describe("mocks harness", () => {
  it("gives each of two same-named resources its own inputs", async () => {
    const { resources } = await runUnderMocks("test", undefined, twoSameNamed);
    const byParent = Object.fromEntries(
      configMaps(resources).map((r) => [
        r.parent.split("::").pop(),
        (r.inputs.data as { from: string }).from,
      ]),
    );
    assert.deepEqual(byParent, { a: "a", b: "b" });
  });

  it("with a sink, hands each resource over with its inputs and returns the records without them", async () => {
    const streamed: Registered[] = [];
    const { resources } = await runUnderMocks("test", undefined, twoSameNamed, {
      sink: (r) => streamed.push(r),
    });
    assert.deepEqual(
      configMaps(streamed)
        .map((r) => (r.inputs.data as { from: string }).from)
        .sort(),
      ["a", "b"],
    );
    assert.equal(configMaps(resources).length, 2);
    for (const r of resources) assert.deepEqual(r.inputs, {});
    assert.equal(streamed.length, resources.length);
  });
});
