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

/** Two clusters joined by Submariner with Globalnet (overlapping ranges are then allowed). */
export function multiCluster(extra: Partial<RawPlatformConfig> = {}): PlatformConfig {
  return platform({
    environment: "prod",
    clusters: [
      cluster({ name: "east", apiServer: { host: "east.example.com", port: 6443 } }),
      cluster({ name: "west", cni: "cilium", kubeProxyMode: "ipvs" }),
    ],
    submariner: { broker: "east", globalnet: true },
    certificates: { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" },
    ...extra,
  });
}

// kubernetes-models ship ES modules only; a real dynamic import loads them from CommonJS.
const importEsm = new Function("s", "return import(s)") as (s: string) => Promise<Record<string, unknown>>;

function modulePath(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}/${kind}`;
  if (group.endsWith(".istio.io")) return `@kubernetes-models/istio/${group}/${version}/${kind}`;
  if (group === "cert-manager.io") return `@kubernetes-models/cert-manager/${group}/${version}/${kind}`;
  if (group === "gateway.networking.k8s.io")
    return `@kubernetes-models/gateway-api/${group}/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

/** Validates an object against its kind's published schema; throws the schema's complaint. */
export async function validateSchema(obj: K8sObject): Promise<void> {
  const mod = await importEsm(modulePath(obj.apiVersion, obj.kind));
  const Model = mod[obj.kind] as new (data: unknown) => { validate(): void };
  new Model(obj).validate();
}

export interface Registration {
  type: string;
  name: string;
  /** Parent URN. */
  parent: string;
  /** URNs this resource depends on (dependsOn and input dependencies). */
  dependencies: string[];
  inputs: Record<string, unknown>;
  /** True for `Resource.get` reads. */
  read: boolean;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
}
type MonitorMethod = (req: RegisterRequest, callback: unknown) => unknown;

/**
 * Runs `build` under Pulumi mocks and returns every registration with its parent and
 * dependencies. Those two are read off the monitor requests, since the mocks' own
 * `newResource` hook does not receive them.
 */
export async function underMocks(build: () => void): Promise<Registration[]> {
  const registered: Registration[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const r = registered.find((x) => x.type === args.type && x.name === args.name);
        if (r) r.inputs = args.inputs;
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "k8s-netplat",
    "test",
    true,
  );
  const monitor = (pulumi.runtime as unknown as { getMonitor(): Record<string, MonitorMethod> }).getMonitor();
  for (const method of ["registerResource", "readResource"]) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req, callback) => {
      registered.push({
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        dependencies: req.getDependenciesList(),
        inputs: {},
        read: method === "readResource",
      });
      return original(req, callback);
    };
  }
  build();
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return registered;
}

/** A resource's URN, resolved. */
export function urnOf(r: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => r.urn.apply(resolve));
}
