import { strict as assert } from "assert";
import { parsePlatformConfig } from "../../../lib/config";
import { readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import {
  GRAFANA_ADMIN_PASSWORD,
  KIALI_SIGNING_KEY,
  stackSecretProblems,
  stackSecretsUsed,
} from "../../../lib/stack-secrets";

const prod = () => parsePlatformConfig(readRawPlatformConfig(stackFile("prod")));
const KEY = "0123456789abcdef0123456789abcdef";

describe("stack config secrets (no credential generated at random by a chart)", () => {
  it("prod uses Grafana's password and Kiali's key; dev (observability off) neither", () => {
    assert.deepEqual(
      stackSecretsUsed(prod()).map((s) => s.key),
      [GRAFANA_ADMIN_PASSWORD, KIALI_SIGNING_KEY],
    );
    assert.deepEqual(stackSecretsUsed(parsePlatformConfig(readRawPlatformConfig(stackFile("dev")))), []);
  });

  it("prod without them: an error per secret naming it and the command to set it", () => {
    const { errors, warnings } = stackSecretProblems(prod(), {});
    assert.equal(errors.length, 2);
    assert.match(
      errors[0],
      /the secret k8s-netplat:grafanaAdminPassword is required in prod .*pulumi config set --secret grafanaAdminPassword/,
    );
    assert.match(errors[1], /k8s-netplat:kialiSigningKey is required in prod/);
    assert.deepEqual(warnings, []);
  });

  it("outside prod a missing one is a warning (the chart then generates one)", () => {
    const raw = structuredClone(readRawPlatformConfig(stackFile("dev"))) as Record<string, unknown>;
    raw.observability = { enabled: true };
    const { errors, warnings } = stackSecretProblems(parsePlatformConfig(raw), {});
    assert.deepEqual(errors, []);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /generated at random/);
  });

  it("refuses a Kiali key of a length Kiali rejects, without printing it", () => {
    const { errors } = stackSecretProblems(prod(), {
      grafanaAdminPassword: "pw",
      kialiSigningKey: "short-key-123",
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0], /kialiSigningKey is 13 characters long; Kiali accepts 16, 24, 32/);
    assert.doesNotMatch(errors[0], /short-key-123/);
    assert.deepEqual(stackSecretProblems(prod(), { grafanaAdminPassword: "pw", kialiSigningKey: KEY }), {
      errors: [],
      warnings: [],
    });
  });
});
