import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { plainProps } from "../../../lib/transform-props";
import { credentialPaths } from "../../../lib/render-guard";
import { redactSecret } from "../../../lib/render-secrets";

describe("transform properties resolved for the render guard", () => {
  it("turns a secret Output into the secret wire form the guard and the redaction recognise", async () => {
    const props = await plainProps({
      metadata: { name: "x" },
      spec: { token: pulumi.secret("tok"), plain: pulumi.output("p"), list: [pulumi.output(1)] },
    });
    assert.deepEqual((props as { spec: Record<string, unknown> }).spec.plain, "p");
    assert.deepEqual((props as { spec: Record<string, unknown> }).spec.list, [1]);
    assert.deepEqual(credentialPaths(props), { secrets: ["spec.token"], fields: [] });
    const secret = await plainProps({
      metadata: { name: "s" },
      stringData: pulumi.secret({ password: "pw" }),
    });
    const redacted = redactSecret(secret as Record<string, unknown>)!;
    assert.deepEqual(redacted.keys, ["password"]);
    assert.doesNotMatch(JSON.stringify(redacted.props), /pw"/);
  });
});
