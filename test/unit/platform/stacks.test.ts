/**
 * Each stack's whole program (index.ts, as `pulumi up` runs it) under mocks: what it
 * registers, that every emitted Kubernetes object satisfies its upstream schema, and
 * that the policy pack finds no mandatory violation in it.
 */
import { strict as assert } from "assert";
import { PLACEHOLDER_SECRETS } from "../../../scripts/lib/workspace";
import * as pulumi from "@pulumi/pulumi";
import { readRawPlatformConfig, stackFile, STACK_NAMES } from "../../../lib/stack-file";
import { K8sObject } from "../../../lib/k8s-object";
import { Registered, manifestsOf, runUnderMocks } from "../../support/program";
import { NO_PUBLISHED_SCHEMA, validateAgainstSchema } from "../../support/schema";
import { PackResource, runPack } from "../../../policy-pack/lib/run";
import { checkManifest } from "../../../policy-pack/manifests";
import type { StackOutputs } from "../../../components/stack";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const program = require("../../../index") as () => Promise<StackOutputs>;

interface StackRun {
  resources: Registered[];
  manifests: K8sObject[];
  outputs: StackOutputs;
}

const runs = new Map<string, StackRun>();
async function run(stack: string): Promise<StackRun> {
  if (!runs.has(stack)) {
    const { resources, outputs } = await runUnderMocks(
      stack,
      readRawPlatformConfig(stackFile(stack)),
      program,
      {
        secrets: { ...PLACEHOLDER_SECRETS },
      },
    );
    runs.set(stack, { resources, manifests: manifestsOf(resources), outputs });
  }
  return runs.get(stack)!;
}

const ofKind = (r: StackRun, kind: string) => r.manifests.filter((m) => m.kind === kind);
const count = (r: StackRun, type: string) => r.resources.filter((x) => x.type === type).length;

/** The registered resources as the policy pack sees them (provider URN per resource). */
export function packResources(resources: Registered[]): PackResource[] {
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    props: r.inputs,
    providerUrn: r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : undefined,
  }));
}

describe("stack dev (under mocks)", () => {
  it("uses one explicit Kubernetes provider for its one cluster", async () => {
    const r = await run("dev");
    assert.equal(count(r, "pulumi:providers:kubernetes"), 1);
  });

  it("installs Calico, Istio, cert-manager and the F5 NGINX controller, and no observability", async () => {
    const r = await run("dev");
    const charts = r.resources
      .filter((x) => x.type === "kubernetes:helm.sh/v4:Chart")
      .map((x) => x.inputs.chart);
    assert.ok(charts.includes("tigera-operator"), `charts: ${charts.join(", ")}`);
    assert.ok(charts.includes("istiod"));
    assert.ok(charts.includes("oci://ghcr.io/nginx/charts/nginx-ingress"));
    assert.ok(!charts.includes("kube-prometheus-stack"));
  });

  it("runs one replica of each stateless service and no HPA", async () => {
    const r = await run("dev");
    const deployments = ofKind(r, "Deployment");
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), [
      "frontend",
      "inventory",
      // dev's canary (app.traffic.orders): one Deployment per version, routed by Istio.
      "orders-v1",
      "orders-v2",
      "payment",
    ]);
    for (const d of deployments) assert.equal((d.spec as { replicas: number }).replicas, 1);
    assert.deepEqual(
      [...ofKind(r, "DestinationRule"), ...ofKind(r, "VirtualService")].map(
        (o) => `${o.kind}/${o.metadata.name}`,
      ),
      ["DestinationRule/orders", "VirtualService/orders", "VirtualService/payment"],
    );
    assert.equal(ofKind(r, "HorizontalPodAutoscaler").length, 0);
  });

  it("exposes the ingress controller through a NodePort and issues from the self-signed CA", async () => {
    const r = await run("dev");
    const ingress = ofKind(r, "Ingress")[0];
    assert.equal(ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"], "platform-ca");
    const chart = r.resources.find(
      (x) => x.type === "kubernetes:helm.sh/v4:Chart" && String(x.inputs.chart).includes("nginx-ingress"),
    );
    const values = chart?.inputs.values as { controller: { service: { type: string } } };
    assert.equal(values.controller.service.type, "NodePort");
  });
});

describe("stack prod (under mocks)", () => {
  it("runs Cilium with its kube-proxy replacement and no kube-proxy configuration", async () => {
    const r = await run("prod");
    const cilium = r.resources.find(
      (x) => x.type === "kubernetes:helm.sh/v4:Chart" && x.inputs.chart === "cilium",
    );
    assert.ok(cilium, "cilium chart registered");
    assert.equal((cilium.inputs.values as { kubeProxyReplacement: unknown }).kubeProxyReplacement, true);
    assert.equal(r.outputs.clusters[0].kubeProxyConfiguration, null);
  });

  it("scales every stateless service with an HPA from 3 and keeps a PDB that allows one disruption", async () => {
    const r = await run("prod");
    const hpas = ofKind(r, "HorizontalPodAutoscaler");
    assert.equal(hpas.length, 4);
    for (const h of hpas) assert.equal((h.spec as { minReplicas: number }).minReplicas, 3);
    const pdbs = ofKind(r, "PodDisruptionBudget");
    assert.equal(pdbs.length, 5, "four Deployments and the event log StatefulSet");
    for (const p of pdbs) assert.equal((p.spec as { maxUnavailable: number }).maxUnavailable, 1);
  });

  it("enforces STRICT mTLS mesh-wide and issues from Let's Encrypt production", async () => {
    const r = await run("prod");
    const pa = ofKind(r, "PeerAuthentication");
    assert.equal(pa.length, 1);
    assert.equal(pa[0].metadata.namespace, "istio-system");
    assert.deepEqual(pa[0].spec, { mtls: { mode: "STRICT" } });
    const issuers = ofKind(r, "ClusterIssuer").map((i) => i.metadata.name);
    assert.ok(issuers.includes("letsencrypt-prod"), `issuers: ${issuers.join(", ")}`);
    assert.equal(
      ofKind(r, "Ingress")[0].metadata.annotations?.["cert-manager.io/cluster-issuer"],
      "letsencrypt-prod",
    );
  });

  it("keeps payment in its own namespace, each namespace with its own default-deny", async () => {
    const r = await run("prod");
    const denies = ofKind(r, "NetworkPolicy").filter((p) => p.metadata.name === "default-deny");
    const of = (component: string) =>
      denies
        .filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === component)
        .map((d) => d.metadata.namespace)
        .sort();
    assert.deepEqual(of("traffic-intent"), ["shop", "shop-payments"]);
    // The add-ons' namespaces are zero-trust in prod too (lib/platform-intent.ts), the egress
    // gateway's included.
    assert.deepEqual(of("platform-intent"), [
      "cert-manager",
      "istio-egress",
      "istio-system",
      "monitoring",
      "nginx-ingress",
    ]);
    assert.equal(denies.length, 7);
    assert.equal(
      ofKind(r, "Deployment").find((d) => d.metadata.name === "payment")?.metadata.namespace,
      "shop-payments",
    );
  });

  it("turns observability on, with Prometheus allowed to scrape the sidecars", async () => {
    const r = await run("prod");
    const charts = r.resources
      .filter((x) => x.type === "kubernetes:helm.sh/v4:Chart")
      .map((x) => x.inputs.chart);
    for (const c of ["kube-prometheus-stack", "kiali-server", "jaeger"])
      assert.ok(charts.includes(c), `${c} installed`);
    assert.ok(ofKind(r, "NetworkPolicy").some((p) => p.metadata.name === "allow-prometheus-scrape-ingress"));
  });
});

describe("stack multi-cluster (under mocks)", () => {
  it("has one provider per cluster and a Submariner broker on us-east-1 only", async () => {
    const r = await run("multi-cluster");
    assert.equal(count(r, "pulumi:providers:kubernetes"), 2);
    const brokers = r.resources.filter(
      (x) => x.type === "kubernetes:helm.sh/v4:Chart" && x.inputs.chart === "submariner-k8s-broker",
    );
    assert.equal(brokers.length, 1);
    assert.ok(brokers[0].provider?.includes("::us-east-1::"), `broker provider ${brokers[0].provider}`);
    const operators = r.resources.filter(
      (x) => x.type === "kubernetes:helm.sh/v4:Chart" && x.inputs.chart === "submariner-operator",
    );
    assert.equal(operators.length, 2);
  });

  it("places the storefront east and inventory and payment west", async () => {
    const r = await run("multi-cluster");
    const where = (name: string) =>
      r.resources
        .filter(
          (x) =>
            x.type === "kubernetes:apps/v1:Deployment" &&
            (x.inputs.metadata as { name: string }).name === name,
        )
        .map((x) => x.name.split("-shop-")[0]);
    assert.deepEqual(
      where("frontend").map((n) => n.startsWith("us-east-1")),
      [true],
    );
    assert.deepEqual(
      where("inventory").map((n) => n.startsWith("us-west-2")),
      [true],
    );
  });

  it("exports inventory and payment from us-west-2 for the east's callers", async () => {
    const r = await run("multi-cluster");
    const exports = ofKind(r, "ServiceExport")
      .map((e) => e.metadata.name)
      .sort();
    assert.deepEqual(exports, ["inventory", "payment"]);
  });

  it("lets orders reach payment across clusters only at us-west-2's pod range (one mesh: sidecars dial remote pods), and payment admit only us-east-1's pods", async () => {
    const r = await run("multi-cluster");
    const np = (name: string) =>
      ofKind(r, "NetworkPolicy").find((p) => p.metadata.name === name)?.spec as {
        egress?: Array<{ to: unknown[]; ports: unknown[] }>;
        ingress?: Array<{ from: unknown[]; ports: unknown[] }>;
      };
    const egress = np("allow-orders-to-payment-tcp-8080-egress");
    assert.deepEqual(egress.egress?.[0].to, [{ ipBlock: { cidr: "10.20.0.0/16" } }]);
    assert.deepEqual(egress.egress?.[0].ports, [{ protocol: "TCP", port: 8080 }]);
    const ingress = np("allow-orders-to-payment-tcp-8080-ingress");
    assert.deepEqual(ingress.ingress?.[0].from, [{ ipBlock: { cidr: "10.10.0.0/16" } }]);
  });
});

describe("stack multi-cluster: one mesh (under mocks)", () => {
  const on = (r: StackRun, cluster: string) =>
    r.resources.filter((x) => x.provider?.includes(`::${cluster}::`));
  const named = (rs: Registered[], kind: string, name: string) =>
    rs.filter(
      (x) =>
        x.type.endsWith(`:${kind}`) &&
        ((x.inputs.metadata as { name?: string } | undefined)?.name ?? "") === name,
    );

  for (const [cluster, other] of [
    ["us-east-1", "us-west-2"],
    ["us-west-2", "us-east-1"],
  ]) {
    it(`${cluster}: the shared root as a ClusterIssuer, its own intermediate into istio-system/cacerts, a reader token, and a remote secret for ${other}`, async () => {
      const rs = on(await run("multi-cluster"), cluster);
      const root = named(rs, "Secret", "istio-mesh-root-ca");
      assert.equal(root.length, 1);
      assert.equal((root[0].inputs.metadata as { namespace: string }).namespace, "cert-manager");
      assert.equal(
        named(rs, "CustomResource", "istio-mesh-root-ca").length +
          named(rs, "ClusterIssuer", "istio-mesh-root-ca").length,
        1,
      );
      const cert = rs.find((x) => x.name === `${cluster}-istio-mesh-intermediate-ca`);
      assert.ok(cert, "the intermediate Certificate");
      assert.equal((cert.inputs.spec as { secretName: string }).secretName, "cacerts");
      assert.match((cert.inputs.spec as { commonName: string }).commonName, new RegExp(cluster));
      const token = named(rs, "Secret", "istio-reader-service-account-token");
      assert.equal(token.length, 1);
      const remote = named(rs, "Secret", `istio-remote-secret-${other}`);
      assert.equal(remote.length, 1, `remote secret for ${other} on ${cluster}`);
      assert.equal(
        named(rs, "Secret", `istio-remote-secret-${cluster}`).length,
        0,
        "no remote secret for itself",
      );
      const meta = remote[0].inputs.metadata as {
        labels: Record<string, string>;
        annotations: Record<string, string>;
      };
      assert.equal(meta.labels["istio/multiCluster"], "true");
      assert.equal(meta.annotations["networking.istio.io/cluster"], other);
    });

    it(`${cluster}: istiod waits for its intermediate CA, which waits for the issuer and cert-manager; the reader token for the base chart`, async () => {
      const r = await run("multi-cluster");
      const get = (n: string) => r.resources.find((x) => x.name === n)!;
      const deps = (n: string) => get(n).dependencies.map((d) => d.split("::").pop());
      assert.ok(deps(`${cluster}-istio-istiod`).includes(`${cluster}-istio-mesh-intermediate-ca`));
      assert.ok(deps(`${cluster}-istio-mesh-intermediate-ca`).includes(`${cluster}-istio-mesh-root-issuer`));
      assert.ok(deps(`${cluster}-istio-mesh-root-issuer`).includes(`${cluster}-istio-mesh-root-ca`));
      assert.ok(deps(`${cluster}-istio-mesh-root-ca`).includes(`${cluster}-cert-manager-release`));
      assert.ok(deps(`${cluster}-istio-istio-reader-token`).includes(`${cluster}-istio-base`));
      // The remote secret for the other cluster is built from that cluster's live token.
      assert.ok(
        deps(`${cluster}-istio-remote-secret-${other}`).includes(`${other}-istio-istio-reader-token-live`),
      );
    });
  }

  it("us-east-1 defines the Services of inventory and payment (run in us-west-2) without their workloads, and its callers dial them by cluster.local", async () => {
    const r = await run("multi-cluster");
    const east = on(r, "us-east-1");
    for (const name of ["inventory", "payment"]) {
      const svc = named(east, "Service", name);
      assert.equal(svc.length, 1, `${name}'s Service on us-east-1`);
      const meta = svc[0].inputs.metadata as { namespace: string; annotations?: Record<string, string> };
      assert.equal(meta.namespace, "shop");
      assert.equal(meta.annotations?.["netplat.dev/runs-on"], "us-west-2");
      assert.deepEqual(named(east, "Deployment", name), [], `no ${name} Deployment on us-east-1`);
      assert.equal(named(on(r, "us-west-2"), "Deployment", name).length, 1);
    }
    const dial = (c: string) => r.outputs.clusters.find((x) => x.name === c)!.dialNames;
    assert.equal(dial("us-east-1").inventory, "inventory.shop.svc.cluster.local");
    assert.equal(dial("us-east-1").payment, "payment.shop.svc.cluster.local");
    const west = on(r, "us-west-2");
    for (const name of ["frontend", "orders", "events"]) assert.deepEqual(named(west, "Service", name), []);
  });

  it("the policy pack finds nothing, at any level, on those Services (no rule needs a Service to select local pods)", async () => {
    const r = await run("multi-cluster");
    const remote = r.resources.filter(
      (x) =>
        x.type === "kubernetes:core/v1:Service" &&
        (x.inputs.metadata as { annotations?: Record<string, string> }).annotations?.["netplat.dev/runs-on"],
    );
    assert.equal(remote.length, 2);
    // Findings name the object (kind, namespace, name): this also covers the callee's own Service.
    const names = new Set(remote.map((x) => (x.inputs.metadata as { name: string }).name));
    const findings = runPack(packResources(r.resources), "multi-cluster").filter(
      (v) => v.kind === "Service" && names.has(v.name),
    );
    assert.deepEqual(
      findings.map((v) => `${v.level} ${v.policy} ${v.name}: ${v.message}`),
      [],
    );
  });

  it("single-cluster stacks get none of it", async () => {
    const r = await run("prod");
    assert.ok(!r.resources.some((x) => /mesh-root|istio-reader-token|istio-remote-secret/.test(x.name)));
  });
});

/** Per stack, the only kinds it emits that no schema checks (each has its reason in NO_PUBLISHED_SCHEMA). */
const UNVALIDATED_KINDS: Record<string, string[]> = {
  dev: [],
  prod: [],
  "multi-cluster": ["multicluster.x-k8s.io/v1alpha1/ServiceExport"],
};

describe("every stack's emitted objects", () => {
  for (const stack of STACK_NAMES) {
    it(`${stack}: every Kubernetes object validates against its upstream schema`, async () => {
      const r = await run(stack);
      assert.ok(r.manifests.length > 20, `expected a full platform, got ${r.manifests.length} objects`);
      // Every object validates, or its kind is one this stack is known to emit without a
      // published schema (listed with the reason in NO_PUBLISHED_SCHEMA). Invalid objects
      // and unclassified kinds are collected, so one run names all of them.
      const invalid: string[] = [];
      const unvalidated = new Set<string>();
      for (const m of r.manifests) {
        try {
          const result = await validateAgainstSchema(m);
          if (result.status === "no-schema") unvalidated.add(`${m.apiVersion}/${m.kind}`);
        } catch (e) {
          invalid.push((e as Error).message);
        }
      }
      assert.deepEqual(invalid, []);
      assert.deepEqual(
        [...unvalidated].sort().map((gvk) => `${gvk}: ${NO_PUBLISHED_SCHEMA.get(gvk)}`),
        (UNVALIDATED_KINDS[stack] ?? []).map((gvk) => `${gvk}: ${NO_PUBLISHED_SCHEMA.get(gvk)}`),
      );
    });

    it(`${stack}: every Kubernetes object passes the manifest loader's checks (what policy:check reads)`, async () => {
      const r = await run(stack);
      // checkManifest throws an InputError naming the object and field the API server would refuse.
      for (const m of r.manifests) checkManifest(JSON.parse(JSON.stringify(m)), `${stack}`);
    });

    it(`${stack}: the policy pack finds no mandatory violation`, async () => {
      const r = await run(stack);
      const violations = runPack(packResources(r.resources), stack as "dev" | "prod" | "multi-cluster");
      const mandatory = violations.filter((v) => v.level === "mandatory");
      assert.deepEqual(
        mandatory.map((v) => `${v.policy} ${v.kind} ${v.namespace}/${v.name}: ${v.message}`),
        [],
      );
    });
  }
});

describe("a bad stack config", () => {
  it("stops the program with the named key before any resource is registered", async () => {
    const raw = structuredClone(readRawPlatformConfig(stackFile("prod"))) as {
      clusters: Array<Record<string, unknown>>;
    };
    raw.clusters[0].cni = "weave";
    let thrown: unknown;
    const { resources } = await runUnderMocks("prod", raw, async () => {
      try {
        return await program();
      } catch (e) {
        thrown = e;
        return undefined;
      }
    });
    assert.ok(pulumi.RunError.isInstance(thrown), `expected a RunError, got ${String(thrown)}`);
    assert.match((thrown as Error).message, /platform\.clusters\[0\]\.cni: Invalid option/);
    assert.deepEqual(resources, []);
  });
});

describe("cert-manager installer choice", () => {
  it("installs cert-manager as a rendered chart, issuers after it, when installer is chart", async () => {
    const raw = structuredClone(readRawPlatformConfig(stackFile("dev"))) as {
      certificates: Record<string, unknown>;
    };
    raw.certificates.installer = "chart";
    const { resources } = await runUnderMocks("dev", raw, program);
    const charts = resources
      .filter((x) => x.type === "kubernetes:helm.sh/v4:Chart")
      .map((x) => x.inputs.chart);
    assert.ok(charts.includes("cert-manager"), charts.join(", "));
    assert.equal(resources.filter((x) => x.type.startsWith("kubernetes-cert-manager:")).length, 0);
    assert.ok(resources.some((x) => x.type === "kubernetes:cert-manager.io/v1:ClusterIssuer"));
  });

  it("uses @pulumi/kubernetes-cert-manager by default", async () => {
    const r = await run("dev");
    assert.equal(r.resources.filter((x) => x.type.startsWith("kubernetes-cert-manager:")).length, 1);
  });
});
