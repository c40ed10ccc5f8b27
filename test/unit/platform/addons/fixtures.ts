/**
 * Shared fixtures for the add-on tests: platform configs parsed through the real config
 * schema (so defaults apply as in a stack), upstream-schema validation, and a Pulumi
 * mock harness that records registrations with parent and dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  ClusterConfig,
  PlatformConfig,
  RawPlatformConfig,
  parsePlatformConfig,
} from "../../../../lib/config";
import { K8sObject } from "../../../../lib/k8s-object";
import { Registered, runUnderMocks } from "../../../support/program";
import { validateAgainstSchema } from "../../../support/schema";

type RawCluster = RawPlatformConfig["clusters"][number];

export function cluster(overrides: Partial<RawCluster> = {}): RawCluster {
  return {
    name: "dev",
    podCidr: "10.244.0.0/16",
    serviceCidr: "10.96.0.0/12",
    cni: "calico",
    kubeProxyMode: "iptables",
    ...overrides,
  };
}

/** A parsed platform config: one calico cluster, Istio on, nginx-inc, self-signed certificates. */
export function platform(overrides: Partial<RawPlatformConfig> = {}): PlatformConfig {
  return parsePlatformConfig({
    environment: "dev",
    clusters: [cluster()],
    certificates: { issuer: "selfsigned" },
    app: { host: "shop.example.com" },
    ...overrides,
  });
}

export function firstCluster(p: PlatformConfig): ClusterConfig {
  return p.clusters[0];
}

/**
 * Two clusters joined by Submariner with Globalnet (overlapping ranges are then allowed);
 * without the platform namespaces' policies, which need ranges these tests are not about.
 */
export function multiCluster(extra: Partial<RawPlatformConfig> = {}): PlatformConfig {
  return platform({
    environment: "prod",
    platformNetworkPolicies: false,
    clusters: [
      cluster({ name: "east", apiServer: { host: "east.example.com", port: 6443 } }),
      cluster({ name: "west", cni: "cilium", kubeProxyMode: "ipvs" }),
    ],
    submariner: { broker: "east", globalnet: true },
    certificates: { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" },
    ...extra,
  });
}

/** Validates an object against its kind's published schema; throws the schema's complaint. */
export async function validateSchema(obj: K8sObject): Promise<void> {
  const result = await validateAgainstSchema(obj);
  if (result.status !== "valid") throw new Error(`${obj.apiVersion}/${obj.kind}: ${result.reason}`);
}

export type Registration = Registered;

/** Runs `build` under Pulumi mocks and returns every registration with its parent and dependencies. */
export async function underMocks(build: () => void): Promise<Registration[]> {
  return (await runUnderMocks("test", undefined, build)).resources;
}

/** A resource's URN, resolved. */
export function urnOf(r: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => r.urn.apply(resolve));
}
