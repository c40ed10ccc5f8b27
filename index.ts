/**
 * Entry point for `pulumi preview` / `pulumi up`: read the stack's config, validate
 * it whole (nothing is registered when it is wrong), then deploy.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEY, CONFIG_NAMESPACE, ConfigError, parsePlatformConfig } from "./lib/config";
import { StackOutputs, deployStack } from "./components/stack";
import { renderCapabilityProblems } from "./lib/kube-version";

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
  return deployStack(platform, {
    kubeconfigs: config.getSecretObject<Record<string, string>>("kubeconfigs"),
    submarinerPsk: config.getSecret("submarinerPsk"),
    submarinerBroker: brokerCredentials(config),
  });
};
