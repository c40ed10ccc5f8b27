/**
 * Runs the real program (index.ts) under Pulumi's mocks and records every resource it
 * registers, with its inputs: the same wiring `pulumi up` performs, minus the engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { K8sObject } from "../../lib/k8s-object";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The provider reference ("urn::id") for custom resources created with an explicit provider. */
  provider?: string;
}

// The SDK's own "wait until every registration has been answered"; not in its typings.
const runtime = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };

export interface RunOptions {
  /** Secret config values, by key (without the project prefix). */
  secrets?: Record<string, string>;
  preview?: boolean;
}

/**
 * Runs `program` as stack `stack` with `platform` as the `k8s-netplat:platform` config,
 * and returns what it registered plus what the program returned (its stack outputs).
 */
export async function runUnderMocks<T>(
  stack: string,
  platform: unknown,
  program: () => T,
  options: RunOptions = {},
): Promise<{ resources: Registered[]; outputs: T }> {
  const resources: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "k8s-netplat",
    stack,
    options.preview ?? true,
  );
  const config: Record<string, string> = { "k8s-netplat:platform": JSON.stringify(platform) };
  for (const [k, v] of Object.entries(options.secrets ?? {})) config[`k8s-netplat:${k}`] = v;
  pulumi.runtime.setAllConfig(
    config,
    Object.keys(options.secrets ?? {}).map((k) => `k8s-netplat:${k}`),
  );
  const outputs = program();
  await runtime.waitForRPCs();
  return { resources, outputs };
}

/** Kubernetes objects among the registered resources, as manifests (providers and components left out). */
export function manifestsOf(resources: Registered[]): K8sObject[] {
  return resources
    .filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        typeof r.inputs.apiVersion === "string" &&
        typeof r.inputs.kind === "string",
    )
    .filter((r) => !r.type.startsWith("kubernetes:helm.sh/"))
    .map((r) => r.inputs as unknown as K8sObject);
}
