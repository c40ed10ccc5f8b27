/**
 * Runs Pulumi code under the SDK's mocks and records every resource registered: the
 * same wiring `pulumi up` performs, minus the engine. Used for the whole program
 * (index.ts) and for single components, by the unit tests and scripts/bench.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as sdkState from "@pulumi/pulumi/runtime/state";
import { K8sObject } from "../../lib/k8s-object";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The provider reference ("urn::id") for custom resources created with an explicit provider. */
  provider?: string;
  /** Parent URN. */
  parent: string;
  /** URNs this resource depends on (dependsOn and input dependencies). */
  dependencies: string[];
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

// The SDK's own "wait until every registration has been answered"; not in its typings.
const runtime = pulumi.runtime as unknown as {
  waitForRPCs(): Promise<void>;
  getMonitor(): Record<string, MonitorMethod>;
};

export interface MockRunOptions {
  /** Secret config values, by key (without the project prefix). */
  secrets?: Record<string, string>;
  preview?: boolean;
  /**
   * The live state a `Resource.get` read returns, by the read's arguments. Default:
   * {@link liveStateOf}, which answers a service-account token Secret as the token
   * controller would have filled it, and anything else with its inputs.
   */
  readState?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
  /**
   * The state a created resource gets, where the engine would add outputs to its inputs
   * (a Service's status, a chart's resources). Undefined: its inputs.
   */
  createdState?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;
  /**
   * Called with each resource once its inputs are known. With a sink, the records
   * returned keep no inputs (`inputs` is `{}`): a run that only counts or streams its
   * resources (scripts/bench.ts) does not hold a copy of every object until the end.
   */
  sink?: (r: Registered) => void;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** What a read finds on a healthy cluster: a token Secret holds a token and the CA. */
export function liveStateOf(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (args.type === "kubernetes:core/v1:Secret") {
    return {
      ...args.inputs,
      type: "kubernetes.io/service-account-token",
      data: { token: b64("mock-token"), "ca.crt": b64("mock-ca") },
    };
  }
  return args.inputs;
}

/**
 * Runs `program` as stack `stack`, with `platform` (when given) as the
 * `k8s-netplat:platform` config, and returns what it registered plus what the program
 * returned (its stack outputs). Parent and dependencies are read off the monitor
 * requests, since the mocks' own `newResource` hook does not receive them.
 */
export async function runUnderMocks<T>(
  stack: string,
  platform: unknown,
  program: () => T | Promise<T>,
  options: MockRunOptions = {},
): Promise<{ resources: Registered[]; outputs: T }> {
  const resources: Registered[] = [];
  // Requests not yet answered by type and name, oldest first: the mocks' hook gets the
  // request's type and name but not the request (a lookup, not a scan of every record).
  const unanswered = new Map<string, Registered[]>();
  const key = (type: string, name: string) => `${type}\u0000${name}`;
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const k = key(args.type, args.name);
        const waiting = unanswered.get(k);
        const r = waiting?.shift();
        if (waiting?.length === 0) unanswered.delete(k);
        if (r) {
          r.provider = args.provider;
          if (options.sink) options.sink({ ...r, inputs: args.inputs });
          else r.inputs = args.inputs;
        }
        if (args.id !== undefined && args.id !== "") {
          return { id: args.id, state: (options.readState ?? liveStateOf)(args) };
        }
        return { id: `${args.name}-id`, state: options.createdState?.(args) ?? args.inputs };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "k8s-netplat",
    stack,
    options.preview ?? true,
  );
  // setMocks turns resource transforms off, and registering a resource that has some (every
  // chart: components/helm.ts) would then fail. Turned on here: they register with the SDK's
  // in-process callback server, and the mock monitor never calls them back, so what they
  // rewrite is tested on its own (server-form, render-secrets and Submariner tests).
  (sdkState as unknown as { getStore(): { supportsTransforms: boolean } }).getStore().supportsTransforms =
    true;
  const monitor = runtime.getMonitor();
  for (const method of ["registerResource", "readResource"]) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (req, callback) => {
      const r: Registered = {
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        dependencies: req.getDependenciesList(),
        inputs: {},
        read: method === "readResource",
      };
      resources.push(r);
      const k = key(r.type, r.name);
      unanswered.set(k, [...(unanswered.get(k) ?? []), r]);
      return original(req, callback);
    };
  }
  const config: Record<string, string> = {};
  if (platform !== undefined) config["k8s-netplat:platform"] = JSON.stringify(platform);
  for (const [k, v] of Object.entries(options.secrets ?? {})) config[`k8s-netplat:${k}`] = v;
  pulumi.runtime.setAllConfig(
    config,
    Object.keys(options.secrets ?? {}).map((k) => `k8s-netplat:${k}`),
  );
  const outputs = await program();
  await runtime.waitForRPCs();
  return { resources, outputs };
}

/** Kubernetes objects among the registered resources, as manifests (providers and components left out). */
export function manifestsOf(resources: Registered[]): K8sObject[] {
  return resources
    .filter(
      (r) =>
        r.type.startsWith("kubernetes:") &&
        !r.read &&
        typeof r.inputs.apiVersion === "string" &&
        typeof r.inputs.kind === "string",
    )
    .filter((r) => !r.type.startsWith("kubernetes:helm.sh/"))
    .map((r) => revealSecretValues(r.inputs) as K8sObject);
}

/**
 * Inputs with each Pulumi secret (the SDK's wire form `{ [sig]: secretSig, value }`, e.g.
 * a Secret's `stringData` from a config secret) replaced by its plain value, as the
 * provider would send the object to the API server.
 */
export function revealSecretValues(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revealSecretValues);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
      return revealSecretValues(o.value);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revealSecretValues(x)]));
  }
  return v;
}

/** A reference to a registered resource, as a mock's state may hold it (a chart's `resources`). */
export function resourceReference(urn: string): Record<string, unknown> {
  // The SDK's wire signatures for "this value is a resource" (runtime/rpc.ts).
  return { "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", urn };
}
