/**
 * The composition root: one Kubernetes provider per cluster (explicit, never the
 * ambient default), the Submariner broker where there are several clusters, and a
 * Platform per cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../lib/config";
import { resolveApp } from "../lib/intent";
import { topologyMermaid } from "../lib/topology";
import { KubeProxyConfiguration } from "../lib/addons/cni";
import { SECRET_TYPE, renderModeViolation } from "../lib/render-guard";
import { redactSecret } from "../lib/render-secrets";
import { plainProps } from "../lib/transform-props";
import { IngressAddress } from "../lib/ingress-address";
import { ObservabilityUrls } from "../lib/observability-urls";
import { Platform } from "./platform";
import { apiServerUrl, createRemoteSecret } from "./mesh";
import { MESH_ROOT_CA, parseMeshRootCa } from "../lib/addons/mesh";
import { oneMesh } from "../lib/cross-cluster";
import { dialNames } from "../lib/placement";
import { RENDER_PLACEHOLDER } from "../lib/render-secrets";
import { kubeconfigFor } from "../lib/preflight";
import { SubmarinerBroker } from "./submariner";

export interface StackSecrets {
  /**
   * kubeconfig per cluster name (the secret `k8s-netplat:kubeconfigs`): a cluster missing
   * from it is an error. Without the secret at all, every provider uses the ambient
   * kubeconfig with the cluster's `context` (index.ts refuses clusters that would share one).
   */
  kubeconfigs?: pulumi.Output<Record<string, string>>;
  /**
   * The Submariner broker client's token and CA (`k8s-netplat:submarinerBrokerToken`,
   * `submarinerBrokerCa`); required in render mode, where they cannot be read back.
   */
  submarinerBroker?: { token: pulumi.Output<string>; ca: pulumi.Output<string> };
  /** Submariner's IPsec pre-shared key (the secret `k8s-netplat:submarinerPsk`), for the libreswan cable driver. */
  submarinerPsk?: pulumi.Output<string>;
  /** `k8s-netplat:grafanaAdminPassword` and `k8s-netplat:kialiSigningKey` (lib/stack-secrets.ts). */
  grafanaAdminPassword?: pulumi.Output<string>;
  kialiSigningKey?: pulumi.Output<string>;
  /** `k8s-netplat:meshRootCa`: the mesh root CA's certificate and key (PEM), for istio.oneMesh. */
  meshRootCa?: pulumi.Output<string>;
}

export interface ClusterOutputs {
  name: string;
  cni: string;
  kubeProxyMode: string;
  enforcesNetworkPolicy: boolean;
  kubeProxyConfiguration: KubeProxyConfiguration | null;
  appNamespaces: string[];
  /** Where users reach the cluster: the ingress controller's LoadBalancer host or node ports (null until known). */
  ingressAddress: pulumi.Output<IngressAddress | null>;
  /** The host the app is served on through that address. */
  appHost: string;
  /** In-cluster URLs of Grafana, Kiali and Jaeger, those that are on. */
  observability: ObservabilityUrls;
  /**
   * Per service the app's services on this cluster call: the DNS name they dial
   * (`cluster.local`, also for remote services under one mesh; else `clusterset.local`).
   */
  dialNames: Record<string, string>;
}

export interface StackOutputs {
  clusters: ClusterOutputs[];
  /** The topology diagram (Mermaid), derived from the same intent as the policies. */
  topology: string;
  renderDirectory?: string;
}

export function clusterProvider(
  platform: PlatformConfig,
  clusterName: string,
  secrets: StackSecrets,
): k8s.Provider {
  const cluster = platform.clusters.find((c) => c.name === clusterName)!;
  if (platform.render) {
    // Render mode writes files and refuses a context or kubeconfig argument. It still
    // renders charts with the capabilities of the server in the ambient $KUBECONFIG
    // (checked by index.ts against kubernetesVersion), but the SDK copies $KUBECONFIG
    // into the `kubeconfig` argument when none is given; an empty one keeps it out.
    return new k8s.Provider(cluster.name, {
      kubeconfig: "",
      // One folder per cluster: each provider owns its own directory of manifests.
      renderYamlToDirectory:
        platform.clusters.length > 1
          ? `${platform.render.directory}/${cluster.name}`
          : platform.render.directory,
    });
  }
  return new k8s.Provider(cluster.name, {
    kubeconfig: secrets.kubeconfigs?.apply((all) => kubeconfigFor(cluster.name, all)),
    context: cluster.context,
  });
}

/**
 * In render mode: write every Secret with placeholders instead of its values, listed as
 * not rendered (lib/render-secrets.ts); fail any other resource the provider would write
 * with a credential in plaintext (a Pulumi secret or a credential field in any object),
 * including those a chart renders (stack transforms also see packaged components' children).
 */
function guardRenderMode(directory: string): void {
  try {
    pulumi.runtime.registerResourceTransform(async (args) => {
      if (!args.type.startsWith("kubernetes:") || args.custom === false) return undefined;
      // Secrets arrive as Outputs from the engine: judged on plain values (lib/transform-props.ts).
      const props = (await plainProps(args.props)) as Record<string, unknown>;
      if (args.type === SECRET_TYPE) {
        const redacted = redactSecret(props);
        if (!redacted) return undefined;
        const meta = (props.metadata ?? {}) as { name?: string; namespace?: string };
        void pulumi.log.warn(
          `render: not rendered: holds a secret: Secret ${meta.namespace ?? "default"}/${meta.name ?? args.name} ` +
            `(keys ${redacted.keys.join(", ")}) is written to ${directory} with placeholders; supply it out of band`,
        );
        return { props: redacted.props, opts: args.opts };
      }
      const problem = renderModeViolation(
        { type: args.type, name: args.name, props, custom: args.custom },
        directory,
      );
      if (problem) throw new pulumi.RunError(problem);
      return undefined;
    });
  } catch (e) {
    // Fail closed: without transforms nothing would keep Secret values out of the files.
    throw new pulumi.RunError(
      `render mode needs resource transforms to keep Secrets out of ${directory}: ${(e as Error).message}`,
    );
  }
}

export function deployStack(platform: PlatformConfig, secrets: StackSecrets = {}): StackOutputs {
  if (platform.render) guardRenderMode(platform.render.directory);
  const app = resolveApp(platform.app.spec);
  const providers = new Map(
    platform.clusters.map((c) => [c.name, clusterProvider(platform, c.name, secrets)]),
  );
  if (platform.render && platform.submariner && !secrets.submarinerBroker) {
    throw new pulumi.RunError(
      `cluster ${platform.submariner.broker} (Submariner broker): render mode cannot read the broker's token back from a cluster: set the secrets ` +
        "k8s-netplat:submarinerBrokerToken and k8s-netplat:submarinerBrokerCa (pulumi config set --secret ...)",
    );
  }
  const broker = platform.submariner
    ? new SubmarinerBroker(
        `${platform.submariner.broker}-submariner-broker`,
        {
          cluster: platform.clusters.find((c) => c.name === platform.submariner!.broker)!,
          platform,
          credentials: platform.render ? secrets.submarinerBroker : undefined,
        },
        { provider: providers.get(platform.submariner.broker)! },
      )
    : undefined;
  const sharedMesh = oneMesh(platform);
  if (sharedMesh && !secrets.meshRootCa) {
    throw new pulumi.RunError(
      `istio.oneMesh: the secret k8s-netplat:${MESH_ROOT_CA} is required (the root CA every cluster's istiod CA chains to): ` +
        `cat root-cert.pem root-key.pem | pulumi config set --secret ${MESH_ROOT_CA}`,
    );
  }
  const meshRootCa =
    sharedMesh && secrets.meshRootCa
      ? pulumi.secret(secrets.meshRootCa.apply((t) => parseMeshRootCa(t)))
      : undefined;
  const platforms = platform.clusters.map(
    (cluster) =>
      new Platform(
        cluster.name,
        {
          cluster,
          platform,
          app,
          broker: broker?.connection,
          ipsecPsk: secrets.submarinerPsk,
          meshRootCa,
          observabilitySecrets: {
            grafanaAdminPassword: secrets.grafanaAdminPassword,
            kialiSigningKey: secrets.kialiSigningKey,
          },
        },
        { provider: providers.get(cluster.name)! },
      ),
  );
  if (sharedMesh) connectMesh(platform, platforms, secrets);
  return {
    clusters: platforms.map((p, i) => ({
      name: platform.clusters[i].name,
      cni: platform.clusters[i].cni,
      kubeProxyMode: platform.clusters[i].kubeProxyMode,
      enforcesNetworkPolicy: p.cni.enforcesNetworkPolicy,
      kubeProxyConfiguration: p.cni.kubeProxyConfiguration,
      appNamespaces: p.app.namespaces,
      ingressAddress: p.ingress.address,
      appHost: platform.app.host,
      observability: p.observability?.urls ?? {},
      dialNames: dialNames(platform, app, platform.clusters[i].name),
    })),
    topology: topologyMermaid(platform, app),
    ...(platform.render ? { renderDirectory: platform.render.directory } : {}),
  };
}

/**
 * Multi-primary endpoint discovery: for each ordered pair (A learns B), a remote secret in
 * A holding a kubeconfig for B (B's API server URL, the CA and reader token from B's token
 * Secret). Render mode reads no cluster: the server is the render placeholder like the
 * token, and the Secret is written with placeholders.
 */
function connectMesh(platform: PlatformConfig, platforms: Platform[], secrets: StackSecrets): void {
  const ns = platform.istio.rootNamespace;
  platform.clusters.forEach((from, j) => {
    const reader = platforms[j].istio?.reader;
    if (!reader) return;
    // Render mode reads no kubeconfig: the URL comes from clusters[].apiServer or is a placeholder.
    const server =
      platform.render && !from.apiServer
        ? pulumi.secret(RENDER_PLACEHOLDER)
        : apiServerUrl(from, secrets.kubeconfigs);
    platform.clusters.forEach((into, i) => {
      if (i === j) return;
      const istio = platforms[i].istio!;
      createRemoteSecret(into.name, ns, reader, server, { parent: platforms[i], dependsOn: [istio.base] });
    });
  });
}
