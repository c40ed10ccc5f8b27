import { strict as assert } from "assert";
import { RENDER_PLACEHOLDER, holdsPlaceholder, redactSecret } from "../../../lib/render-secrets";

/** A value as a resource transform receives a Pulumi secret (the SDK's RPC encoding). */
const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value,
});
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("render mode: Secrets written with placeholders", () => {
  it("replaces every data and stringData value, keeps keys, type and metadata, lists the keys", () => {
    const props = {
      metadata: { name: "submariner-broker-secret", namespace: "submariner-operator" },
      type: "Opaque",
      data: { "ca.crt": secret(b64("the-ca")) },
      stringData: secret({ token: "offline-test-token", namespace: "submariner-k8s-broker" }),
    };
    const out = redactSecret(props)!;
    assert.deepEqual(out.keys, ["ca.crt", "namespace", "token"]);
    assert.deepEqual(out.props.metadata, props.metadata);
    assert.equal(out.props.type, "Opaque");
    assert.deepEqual(out.props.data, { "ca.crt": b64(RENDER_PLACEHOLDER) });
    assert.deepEqual(out.props.stringData, { token: RENDER_PLACEHOLDER, namespace: RENDER_PLACEHOLDER });
    const text = JSON.stringify(out.props);
    assert.doesNotMatch(text, /offline-test-token|the-ca|submariner-k8s-broker/);
    assert.ok(holdsPlaceholder(text));
    assert.ok(holdsPlaceholder(`data:\n  ca.crt: ${b64(RENDER_PLACEHOLDER)}\n`), "found in base64 too");
    assert.ok(!holdsPlaceholder("kind: ConfigMap"));
  });

  it("is the same on every render (no hash or random part)", () => {
    const props = { metadata: { name: "s" }, stringData: { p: "one" } };
    const other = { metadata: { name: "s" }, stringData: { p: "two" } };
    assert.deepEqual(redactSecret(props), redactSecret(other));
  });

  it("leaves a Secret with no values (a token Secret Kubernetes fills) as it is", () => {
    assert.equal(
      redactSecret({ metadata: { name: "t" }, type: "kubernetes.io/service-account-token" }),
      undefined,
    );
    assert.equal(redactSecret({ metadata: { name: "t" }, data: {} }), undefined);
  });

  it("treats a value not yet known (a preview) as a secret: emptied, never written", () => {
    const out = redactSecret({ metadata: { name: "s" }, data: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })!;
    assert.deepEqual(out.props.data, {});
    assert.deepEqual(out.keys, ["(not yet known)"]);
  });
});
