import { strict as assert } from "assert";
import { asServerStores } from "../../../lib/server-form";

describe("objects as the API server stores them (no refresh drift from chart quirks)", () => {
  it("gives a Service port with targetPort 0 its port as targetPort, leaving other ports alone", () => {
    const svc = {
      metadata: { name: "jaeger-collector" },
      spec: {
        ports: [
          { name: "otlp-grpc", port: 4317, targetPort: 0 },
          { name: "query", port: 16685, targetPort: 16685 },
          { name: "named", port: 80, targetPort: "http" },
        ],
      },
    };
    const out = asServerStores("kubernetes:core/v1:Service", svc) as typeof svc;
    assert.deepEqual(
      out.spec.ports.map((p) => p.targetPort),
      [4317, 16685, "http"],
    );
    assert.equal(svc.spec.ports[0].targetPort, 0, "the input is not mutated");
  });

  it("drops an empty rules list from a Role or ClusterRole, keeps a non-empty one", () => {
    for (const kind of ["Role", "ClusterRole"]) {
      const type = `kubernetes:rbac.authorization.k8s.io/v1:${kind}`;
      assert.deepEqual(asServerStores(type, { metadata: { name: "kps-grafana" }, rules: [] }), {
        metadata: { name: "kps-grafana" },
      });
      assert.equal(asServerStores(type, { rules: [{ verbs: ["get"] }] }), undefined);
    }
  });

  it("leaves everything else alone", () => {
    assert.equal(
      asServerStores("kubernetes:core/v1:Service", { spec: { ports: [{ port: 80 }] } }),
      undefined,
    );
    assert.equal(asServerStores("kubernetes:core/v1:ConfigMap", { rules: [] }), undefined);
  });
});
