/**
 * The render guard on what the real charts render with the program's values: outside
 * Secrets (refused whole), it refuses the Submariner resource, which carries the broker
 * token and the IPsec PSK, and nothing else (no false alarm on any chart's objects).
 */
import { strict as assert } from "assert";
import { renderModeViolation } from "../../../lib/render-guard";
import { STACK_NAMES, loadStackConfig } from "../../../lib/stack-file";
import { typeTokenFor } from "../../../policy-pack/lib/resource-manifest";
import { preparedChartMirror } from "../../support/charts";
import { renderStackCharts } from "../../support/stack-charts";

describe("render guard on the real charts", function () {
  this.timeout(300_000);
  for (const stack of STACK_NAMES) {
    const platform = loadStackConfig(stack);
    const expected = platform.submariner
      ? platform.clusters.map(
          (c) => `${c.name}-submariner-operator: Submariner submariner-operator/submariner`,
        )
      : [];
    it(`${stack}: refuses ${expected.length > 0 ? "the Submariner resource of each join (token and PSK)" : "no chart object other than Secrets"}`, async () => {
      const { charts } = await renderStackCharts(stack, preparedChartMirror());
      const refused = charts.flatMap((c) =>
        c.objects
          .filter((o) => o.kind !== "Secret")
          .flatMap((o) => {
            const v = renderModeViolation(
              { type: typeTokenFor(o.apiVersion, o.kind), name: c.release, props: o as never, custom: true },
              "out",
            );
            if (!v) return [];
            assert.match(v, /credential field spec.brokerK8sApiServerToken, spec.ceIPSecPSK/);
            return [`${c.release}: ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`];
          }),
      );
      assert.deepEqual(refused.sort(), expected.sort());
    });
  }
});
