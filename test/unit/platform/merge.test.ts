/** Values overrides over chart defaults: maps merge, everything else is taken as it is. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { mergeValues } from "../../../lib/merge";

class Endpoint {
  constructor(public readonly host: string) {}
}

describe("mergeValues", () => {
  it("keeps a secret Output in an override an Output, and secret", async () => {
    const token = pulumi.secret("s3cr3t");
    const merged = mergeValues({ broker: { server: "b:6443" } }, { broker: { token } }) as {
      broker: { server: string; token: unknown };
    };
    assert.equal(merged.broker.server, "b:6443");
    assert.ok(pulumi.Output.isInstance(merged.broker.token), "token is still an Output");
    assert.equal(await pulumi.isSecret(merged.broker.token as pulumi.Output<string>), true);
  });

  it("keeps a secret Output among the defaults an Output when overrides are given", async () => {
    const psk = pulumi.secret("psk");
    const merged = mergeValues({ ipsec: { psk }, nat: true }, { nat: false }) as {
      ipsec: { psk: unknown };
      nat: boolean;
    };
    assert.equal(merged.nat, false);
    assert.ok(pulumi.Output.isInstance(merged.ipsec.psk));
    assert.equal(await pulumi.isSecret(merged.ipsec.psk as pulumi.Output<string>), true);
  });

  it("takes a class instance from an override as it is instead of merging its fields", () => {
    const endpoint = new Endpoint("new");
    const merged = mergeValues({ endpoint: { host: "old", port: 1 } }, { endpoint }) as {
      endpoint: unknown;
    };
    assert.equal(merged.endpoint, endpoint);
  });

  it("merges plain maps key by key and replaces lists", () => {
    const merged = mergeValues({ a: { x: 1, y: 2 }, list: [1, 2] }, { a: { y: 3 }, list: [9] });
    assert.deepEqual(merged, { a: { x: 1, y: 3 }, list: [9] });
  });
});
