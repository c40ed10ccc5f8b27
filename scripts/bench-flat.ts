/**
 * The floor of `npm run bench` (run by it, in a fresh process per size): registers
 * exactly the resources our program registered (same types, names and inputs, read from
 * the file scripts/bench.ts wrote while our program ran) under the same mocks, flat: no
 * planning, no parents, no dependencies, the Kubernetes objects through the same
 * @pulumi/kubernetes classes and one provider. What this costs per resource is the
 * Pulumi SDK's own cost under mocks, which no change to our program can go below.
 *
 * Usage: node -r ts-node/register/transpile-only scripts/bench-flat.ts <records.ndjson>
 * Prints one JSON line: { resources, ms, peakMiB }.
 */
import * as fs from "fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Registered, runUnderMocks } from "./lib/under-mocks";

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The @pulumi/kubernetes class of a built-in kind (`kubernetes:apps/v1:Deployment`), or undefined for a CRD's kind. */
function builtInClass(type: string): Ctor | undefined {
  const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
  if (!m) return undefined;
  const [, group, version, kind] = m;
  // Kubernetes' own groups only (core, apps, networking.k8s.io, helm.sh for the Chart);
  // a CRD's group (security.istio.io) may share a first label with one of them.
  const builtIn =
    group === "core" || group === "helm.sh" || !group.includes(".") || group.endsWith(".k8s.io");
  if (!builtIn) return undefined;
  const module = (k8s as unknown as Record<string, Record<string, Record<string, Ctor>> | undefined>)[
    group.split(".")[0]
  ];
  return module?.[version]?.[kind];
}

function registerFlat(records: Registered[]): void {
  const providers = new Map<string, k8s.Provider>();
  for (const r of records) {
    if (r.type === "pulumi:providers:kubernetes") {
      providers.set(r.name, new k8s.Provider(r.name, r.inputs as k8s.ProviderArgs));
    }
  }
  for (const r of records) {
    if (r.type.startsWith("pulumi:providers:")) continue;
    // The provider reference is "<provider URN>::<id>"; the URN ends with the provider's name.
    const providerName = r.provider?.split("::").slice(-2)[0];
    const provider = providerName ? providers.get(providerName) : undefined;
    const opts = { provider, ...(r.read ? { id: `${r.name}-id` } : {}) };
    const ctor = builtInClass(r.type);
    if (ctor) new ctor(r.name, r.inputs as never, opts);
    else if (r.type.startsWith("kubernetes:")) {
      new k8s.apiextensions.CustomResource(r.name, r.inputs as k8s.apiextensions.CustomResourceArgs, opts);
    } else {
      // Components: ours (k8s-netplat:*) and packaged ones (the cert-manager component, remote).
      const remote = !r.type.startsWith("k8s-netplat:");
      new pulumi.ComponentResource(r.type, r.name, remote ? r.inputs : {}, { provider }, remote);
    }
  }
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: bench-flat.ts <records.ndjson> (written by scripts/bench.ts)");
  const records: Registered[] = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Registered);
  const start = process.hrtime.bigint();
  const { resources } = await runUnderMocks("prod", undefined, () => registerFlat(records), {
    sink: () => {},
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peakMiB = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
  console.log(JSON.stringify({ resources: resources.length, ms, peakMiB }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
