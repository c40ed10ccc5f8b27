/**
 * The render guard on what the real charts render with the program's values: outside
 * Secrets (written with placeholders), it refuses nothing, no false alarm on any chart's
 * objects, and the Submariner resource, rewritten to name its Secrets, holds neither the
 * broker token nor the IPsec PSK.
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
    it(`${stack}: refuses no chart object${platform.submariner ? "; the Submariner resource names its Secrets" : ""}`, async () => {
      const { charts } = await renderStackCharts(stack, preparedChartMirror());
      const refused = charts.flatMap((c) =>
        c.objects
          .filter((o) => o.kind !== "Secret")
          .flatMap((o) => {
            const type = typeTokenFor(o.apiVersion, o.kind);
            // The objects as the program sends them (the Submariner resource names its Secrets).
            const v = renderModeViolation({ type, name: c.release, props: o as never, custom: true }, "out");
            return v ? [`${c.release}: ${v}`] : [];
          }),
      );
      assert.deepEqual(refused, []);
      const crs = charts.flatMap((c) => c.objects.filter((o) => o.kind === "Submariner"));
      assert.equal(crs.length, platform.submariner ? platform.clusters.length : 0);
      for (const cr of crs) {
        const spec = (cr as unknown as { spec: Record<string, unknown> }).spec;
        assert.ok(!("brokerK8sApiServerToken" in spec), "no broker token in the resource");
        assert.ok(!("ceIPSecPSK" in spec), "no PSK in the resource");
        assert.equal(spec.brokerK8sSecret, "submariner-broker-secret");
        assert.equal(spec.ceIPSecPSKSecret, "submariner-ipsec-psk");
      }
    });
  }
});
