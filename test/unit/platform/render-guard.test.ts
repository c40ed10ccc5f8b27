import { strict as assert } from "assert";
import { credentialPaths, renderModeViolation } from "../../../lib/render-guard";

/** A value as a resource transform receives a Pulumi secret (the SDK's RPC encoding). */
const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value,
});

describe("render mode guard", () => {
  it("does not refuse a Secret (render mode writes it with placeholders), but refuses a SecretList", () => {
    const grafana = {
      type: "kubernetes:core/v1:Secret",
      name: "obs-grafana",
      props: {
        metadata: { name: "grafana-admin", namespace: "monitoring" },
        stringData: { "admin-password": secret("x") },
      },
    };
    assert.equal(renderModeViolation(grafana, "out/prod/manifests"), undefined);
    const msg = renderModeViolation(
      { ...grafana, type: "kubernetes:core/v1:SecretList", props: { metadata: { name: "l" } } },
      "out/prod/manifests",
    );
    assert.match(
      msg ?? "",
      /render mode would write SecretList l \(resource obs-grafana\) in plaintext to out\/prod\/manifests/,
    );
    assert.match(msg ?? "", /sealed-secrets, external-secrets, SOPS/);
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

  it("refuses the Submariner resource carrying the broker token and the IPsec PSK, naming both fields", () => {
    const msg = renderModeViolation(
      {
        type: "kubernetes:submariner.io/v1alpha1:Submariner",
        name: "east-submariner-operator:submariner-operator/submariner",
        custom: true,
        props: {
          apiVersion: "submariner.io/v1alpha1",
          kind: "Submariner",
          metadata: { name: "submariner", namespace: "submariner-operator" },
          spec: { brokerK8sApiServerToken: "offline-test-token", ceIPSecPSK: "abc", clusterID: "east" },
        },
      },
      "out/multi-cluster/manifests",
    );
    assert.match(
      msg ?? "",
      /render mode would write Submariner submariner-operator\/submariner .* with a credential field spec.brokerK8sApiServerToken, spec.ceIPSecPSK in plaintext to out\/multi-cluster\/manifests/,
    );
  });

  it("refuses any object whose inputs hold a Pulumi secret, naming the property path", () => {
    const msg = renderModeViolation(
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "cm",
        custom: true,
        props: {
          metadata: { name: "settings", namespace: "shop" },
          data: { url: "x", key: secret("s3cr3t") },
        },
      },
      "out",
    );
    assert.match(msg ?? "", /ConfigMap shop\/settings \(resource cm\) with a Pulumi secret in data.key/);
  });

  it("does not take references to Secrets, label or annotation keys, or empty fields for credentials", () => {
    const paths = credentialPaths({
      metadata: { name: "x", labels: { token: "yes" }, annotations: { password: "a" } },
      spec: {
        acme: { privateKeySecretRef: { name: "account-key" } },
        admin: { existingSecret: "grafana-admin", passwordKey: "admin-password" },
        auth: { token: "" },
        privateKey: { algorithm: "ECDSA", size: 256 },
      },
    });
    assert.deepEqual(paths, { secrets: [], fields: [] });
  });

  it("finds credential fields inside lists and is case-insensitive", () => {
    assert.deepEqual(credentialPaths({ spec: { endpoints: [{ bearerToken: "t" }, { Password: "p" }] } }), {
      secrets: [],
      fields: ["spec.endpoints[0].bearerToken", "spec.endpoints[1].Password"],
    });
  });

  it("leaves components alone: a chart's values may hold a secret, its objects are checked one by one", () => {
    assert.equal(
      renderModeViolation(
        {
          type: "kubernetes:helm.sh/v4:Chart",
          name: "east-submariner-operator",
          custom: false,
          props: { values: { ipsec: { psk: secret("abc") } } },
        },
        "out",
      ),
      undefined,
    );
  });
});
