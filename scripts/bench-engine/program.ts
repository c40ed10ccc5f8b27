/**
 * BENCHMARK ONLY (`npm run bench:engine`): the program as index.ts runs it in render
 * mode, with the shop app replaced by the scaled app of $NETPLAT_BENCH_SERVICES
 * services (scripts/lib/scaled-app.ts). The benchmark's workspace points Pulumi.yaml's
 * `main` here; nothing else does.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEY, CONFIG_NAMESPACE, parsePlatformConfig } from "../../lib/config";
import { StackOutputs, deployStack } from "../../components/stack";
import { renderCapabilityProblems } from "../../lib/kube-version";
import { scaledApp } from "../lib/scaled-app";

export = async (): Promise<StackOutputs> => {
  const n = Number(process.env.NETPLAT_BENCH_SERVICES);
  if (!Number.isInteger(n) || n < 1) {
    throw new pulumi.RunError(`NETPLAT_BENCH_SERVICES must be a positive integer (got ${n})`);
  }
  const platform = parsePlatformConfig(new pulumi.Config(CONFIG_NAMESPACE).getObject(CONFIG_KEY));
  platform.app.spec = scaledApp(n);
  if (!platform.render) throw new pulumi.RunError("the engine benchmark runs in render mode");
  const problems = await renderCapabilityProblems(platform.clusters);
  if (problems.length > 0) throw new pulumi.RunError(`render mode:\n  - ${problems.join("\n  - ")}`);
  return deployStack(platform);
};
