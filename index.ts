/**
 * Entry point for `pulumi preview` / `pulumi up`: read the stack's config, validate
 * it whole (nothing is registered when it is wrong), then deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEY, CONFIG_NAMESPACE, ConfigError, parsePlatformConfig } from "./lib/config";
import { StackOutputs, deployStack } from "./components/stack";
import { renderCapabilityProblems } from "./lib/kube-version";
import { ambientCredentialProblems, preflightProblems } from "./lib/preflight";
import {
  GRAFANA_ADMIN_PASSWORD,
  KIALI_SIGNING_KEY,
  MESH_ROOT_CA,
  stackSecretProblems,
} from "./lib/stack-secrets";

/** The plain value of a config secret, for checks that run before anything is registered; never logged. */
function secretValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => (resolve(v), v)));
}

function brokerCredentials(config: pulumi.Config) {
  const token = config.getSecret("submarinerBrokerToken");
  const ca = config.getSecret("submarinerBrokerCa");
  return token && ca ? { token, ca } : undefined;
}

export = async (): Promise<StackOutputs> => {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  let platform;
  try {
    platform = parsePlatformConfig(config.getObject(CONFIG_KEY));
  } catch (e) {
    // RunError prints the message alone: the problems list is the whole story.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  if (platform.render) {
    // Checked before anything is registered: a render for the wrong version writes nothing.
    const problems = await renderCapabilityProblems(platform.clusters);
    if (problems.length > 0) throw new pulumi.RunError(`render mode:\n  - ${problems.join("\n  - ")}`);
  }
  const kubeconfigs = config.getSecretObject<Record<string, string>>("kubeconfigs");
  if (!platform.render && !kubeconfigs) {
    const problems = ambientCredentialProblems(platform.clusters);
    if (problems.length > 0)
      throw new pulumi.RunError(`clusters without credentials of their own:\n  - ${problems.join("\n  - ")}`);
  }
  if (!platform.render && kubeconfigs) {
    // Every cluster reachable, ready, with valid credentials and the expected version, or
    // nothing is registered: a multi-cluster deploy never half-applies to the clusters that answered.
    const problems = await preflightProblems(platform.clusters, await secretValue(kubeconfigs));
    if (problems.length > 0)
      throw new pulumi.RunError(`clusters not ready to deploy to:\n  - ${problems.join("\n  - ")}`);
  }
  // Credentials the charts would otherwise generate at random (lib/stack-secrets.ts):
  // checked before anything is registered; their values never appear in a message.
  const grafanaAdminPassword = config.getSecret(GRAFANA_ADMIN_PASSWORD);
  const kialiSigningKey = config.getSecret(KIALI_SIGNING_KEY);
  const meshRootCa = config.getSecret(MESH_ROOT_CA);
  const { errors, warnings } = stackSecretProblems(platform, {
    [GRAFANA_ADMIN_PASSWORD]: grafanaAdminPassword && (await secretValue(grafanaAdminPassword)),
    [KIALI_SIGNING_KEY]: kialiSigningKey && (await secretValue(kialiSigningKey)),
    [MESH_ROOT_CA]: meshRootCa && (await secretValue(meshRootCa)),
  });
  if (errors.length > 0) throw new pulumi.RunError(`stack secrets:\n  - ${errors.join("\n  - ")}`);
  for (const w of warnings) void pulumi.log.warn(w);
  return deployStack(platform, {
    kubeconfigs,
    submarinerPsk: config.getSecret("submarinerPsk"),
    submarinerBroker: brokerCredentials(config),
    grafanaAdminPassword,
    kialiSigningKey,
    meshRootCa,
  });
};
