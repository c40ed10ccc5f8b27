import { strict as assert } from "assert";
import { renderModeViolation } from "../../../lib/render-guard";

describe("render mode guard", () => {
  it("refuses a Secret, naming it, the directory and what to do instead", () => {
    const msg = renderModeViolation(
      {
        type: "kubernetes:core/v1:Secret",
        name: "obs-grafana",
        props: {
          metadata: { name: "grafana-admin", namespace: "monitoring" },
          stringData: { "admin-password": "x" },
        },
      },
      "out/prod/manifests",
    );
    assert.match(
      msg ?? "",
      /render mode would write Secret monitoring\/grafana-admin \(resource obs-grafana\) in plaintext to out\/prod\/manifests/,
    );
    assert.match(msg ?? "", /sealed-secrets, external-secrets, SOPS/);
  });

  it("lets through a token Secret that Kubernetes fills in (no data of ours)", () => {
    const tokenSecret = {
      type: "kubernetes:core/v1:Secret",
      name: "broker-token",
      props: {
        metadata: { name: "t", annotations: { "kubernetes.io/service-account.name": "sa" } },
        type: "kubernetes.io/service-account-token",
      },
    };
    assert.equal(renderModeViolation(tokenSecret, "out"), undefined);
    assert.ok(
      renderModeViolation({ ...tokenSecret, props: { ...tokenSecret.props, data: { token: "abc" } } }, "out"),
    );
  });

  it("lets ConfigMaps, workloads and custom resources through", () => {
    for (const type of [
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:apps/v1:Deployment",
      "kubernetes:cert-manager.io/v1:ClusterIssuer",
    ]) {
      assert.equal(renderModeViolation({ type, name: "x", props: {} }, "out"), undefined, type);
    }
  });
});
