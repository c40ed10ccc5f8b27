/**
 * One Istio mesh across clusters (`istio.oneMesh`): the shared root of trust in each
 * cluster, the reader token other clusters' istiods use, and the remote secrets that hand
 * those tokens to them. Planning (object specs, the kubeconfig): lib/addons/mesh.ts.
 */
import * as fs from "fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config";
import { endpointFromKubeconfig } from "../lib/kube-version";
import {
  ISTIO_READER_TOKEN_SECRET,
  MeshRootCa,
  intermediateCertificate,
  meshRootIssuer,
  meshRootSecret,
  readerTokenSecret,
  remoteKubeconfig,
  remoteSecret,
} from "../lib/addons/mesh";
import { RENDER_PLACEHOLDER } from "../lib/render-secrets";

export interface MeshTrustArgs {
  cluster: ClusterConfig;
  istioNamespace: string;
  /** The mesh root CA (the config secret `k8s-netplat:meshRootCa`, parsed); a secret Output. */
  rootCa: pulumi.Output<MeshRootCa>;
  /** cert-manager's installation (its CRDs and webhook): the issuer and certificate wait for it. */
  certManager: pulumi.Input<pulumi.Resource>;
  /** The Istio root namespace, where cert-manager writes `cacerts`. */
  namespace: pulumi.Resource;
}

export interface MeshTrust {
  rootSecret: k8s.core.v1.Secret;
  /** The values the root Secret is given: secret Outputs whatever the input's secrecy. */
  rootValues: { cert: pulumi.Output<string>; key: pulumi.Output<string> };
  issuer: k8s.apiextensions.CustomResource;
  /** Ready once `cacerts` holds the cluster's intermediate: istiod depends on it. */
  certificate: k8s.apiextensions.CustomResource;
}

/** The root CA Secret, its ClusterIssuer and the cluster's intermediate CA Certificate, in that order. */
export function createMeshTrust(
  name: string,
  args: MeshTrustArgs,
  opts: pulumi.CustomResourceOptions,
): MeshTrust {
  const rootValues = {
    cert: pulumi.secret(args.rootCa.apply((r) => r.cert)),
    key: pulumi.secret(args.rootCa.apply((r) => r.key)),
  };
  const root = meshRootSecret(rootValues.cert, rootValues.key);
  const rootSecret = new k8s.core.v1.Secret(
    `${name}-mesh-root-ca`,
    {
      metadata: root.metadata,
      type: root.type as string,
      stringData: root.stringData as Record<string, pulumi.Output<string>>,
    },
    // The namespace is cert-manager's, created with its installation.
    { ...opts, dependsOn: [args.certManager], additionalSecretOutputs: ["data", "stringData"] },
  );
  const issuer = new k8s.apiextensions.CustomResource(`${name}-mesh-root-issuer`, meshRootIssuer(), {
    ...opts,
    dependsOn: [args.certManager, rootSecret],
  });
  const certificate = new k8s.apiextensions.CustomResource(
    `${name}-mesh-intermediate-ca`,
    intermediateCertificate(args.cluster.name, args.istioNamespace),
    { ...opts, dependsOn: [issuer, args.namespace] },
  );
  return { rootSecret, rootValues, issuer, certificate };
}

/** What another cluster's istiod needs to read this cluster: its reader token, CA and API server. */
export interface ReaderCredentials {
  cluster: string;
  tokenSecret: k8s.core.v1.Secret;
  /** Decoded token and the base64 CA; secret Outputs. */
  token: pulumi.Output<string>;
  caData: pulumi.Output<string>;
}

/**
 * The reader token Secret in this cluster, after the base chart that creates its
 * ServiceAccount. Live: token and CA read back once the token controller filled them.
 * Render mode reads nothing: the values are the render placeholder (the remote Secret
 * holding them is written with placeholders anyway, and supplied out of band).
 */
export function createReaderToken(
  name: string,
  cluster: string,
  istioNamespace: string,
  serviceAccountOwner: pulumi.Resource,
  render: boolean,
  opts: pulumi.CustomResourceOptions,
): ReaderCredentials {
  const spec = readerTokenSecret(istioNamespace);
  const tokenSecret = new k8s.core.v1.Secret(
    `${name}-istio-reader-token`,
    { metadata: spec.metadata, type: spec.type as string },
    // After the ServiceAccount: the token controller deletes a token Secret whose account is missing.
    { ...opts, dependsOn: [serviceAccountOwner] },
  );
  if (render) {
    return {
      cluster,
      tokenSecret,
      token: pulumi.secret(RENDER_PLACEHOLDER),
      caData: pulumi.secret(Buffer.from(RENDER_PLACEHOLDER).toString("base64")),
    };
  }
  const where = `the Secret ${istioNamespace}/${ISTIO_READER_TOKEN_SECRET} on cluster ${cluster} (not yet filled by the token controller?)`;
  const live = k8s.core.v1.Secret.get(
    `${name}-istio-reader-token-live`,
    pulumi.interpolate`${tokenSecret.metadata.namespace}/${tokenSecret.metadata.name}`,
    { ...opts, dependsOn: [tokenSecret] },
  );
  const field = (d: Record<string, string> | undefined, k: string): string => {
    const v = d?.[k];
    if (!v) throw new Error(`${where}: no ${k}`);
    return v;
  };
  return {
    cluster,
    tokenSecret,
    token: pulumi.secret(live.data.apply((d) => Buffer.from(field(d, "token"), "base64").toString("utf8"))),
    caData: pulumi.secret(live.data.apply((d) => field(d, "ca.crt"))),
  };
}

/**
 * The API server URL another cluster's istiod dials for `cluster`: `clusters[].apiServer`
 * (the address the other clusters reach, as for the Submariner broker) when set; else the
 * server of its kubeconfig (the `kubeconfigs` secret's entry, or $KUBECONFIG's context for
 * the cluster: the same source its provider uses). Throws, before anything is registered,
 * when there is neither.
 */
export function apiServerUrl(
  cluster: ClusterConfig,
  kubeconfigs: pulumi.Output<Record<string, string>> | undefined,
): pulumi.Output<string> {
  if (cluster.apiServer) return pulumi.output(`https://${cluster.apiServer.host}:${cluster.apiServer.port}`);
  const missing = () =>
    new pulumi.RunError(
      `cluster ${cluster.name}: istio.oneMesh needs the API server URL the other clusters' istiod reach: ` +
        `set clusters[].apiServer (host, port) for ${cluster.name}, or its kubeconfig with ` +
        `pulumi config set --secret --path 'kubeconfigs["${cluster.name}"]' < kubeconfig`,
    );
  if (kubeconfigs) {
    return pulumi.secret(
      kubeconfigs.apply((all) => {
        const text = all[cluster.name];
        if (!text) throw missing();
        return endpointFromKubeconfig(text, `kubeconfigs["${cluster.name}"]`).server;
      }),
    );
  }
  const file = (process.env.KUBECONFIG ?? "").split(":").find((f) => f) ?? `${process.env.HOME}/.kube/config`;
  if (!fs.existsSync(file)) throw missing();
  return pulumi.output(endpointFromKubeconfig(fs.readFileSync(file, "utf8"), file, cluster.context).server);
}

/** In cluster `into`, the remote secret through which its istiod reads cluster `from`. */
export function createRemoteSecret(
  name: string,
  istioNamespace: string,
  from: ReaderCredentials,
  server: pulumi.Output<string>,
  opts: pulumi.CustomResourceOptions,
): { secret: k8s.core.v1.Secret; kubeconfig: pulumi.Output<string> } {
  const kubeconfig = pulumi.secret(
    pulumi
      .all([server, from.caData, from.token])
      .apply(([s, caData, token]) => remoteKubeconfig({ name: from.cluster, server: s, caData, token })),
  );
  const spec = remoteSecret(from.cluster, istioNamespace, kubeconfig);
  const secret = new k8s.core.v1.Secret(
    `${name}-istio-remote-secret-${from.cluster}`,
    {
      metadata: spec.metadata,
      type: spec.type as string,
      stringData: spec.stringData as Record<string, pulumi.Output<string>>,
    },
    { ...opts, additionalSecretOutputs: ["data", "stringData"] },
  );
  return { secret, kubeconfig };
}
