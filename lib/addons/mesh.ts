/**
 * One Istio mesh across the stack's clusters (`istio.oneMesh`): multi-primary on one
 * network (Submariner without Globalnet routes pod addresses between clusters).
 *
 * Root of trust. The operator keeps one mesh root CA (certificate and key) in the stack's
 * config secret `k8s-netplat:meshRootCa`. In each cluster the program writes it as a
 * Secret in cert-manager's namespace, a CA ClusterIssuer signs an intermediate CA per
 * cluster (a cert-manager Certificate, `isCA`), and cert-manager writes that intermediate
 * into `istio-system/cacerts`, where istiod looks for a plugged-in CA. istiod reads the
 * `kubernetes.io/tls` layout there (tls.crt, tls.key, ca.crt: signing certificate, its key,
 * the root) as well as its own ca-cert.pem/ca-key.pem/root-cert.pem/cert-chain.pem layout
 * (istiod's bootstrap picks the former when tls.crt exists), so cert-manager's Secret is
 * used as it is; no istio-csr. Chosen over istio-csr because istiod keeps signing workload
 * certificates itself (no extra component in the certificate path of every sidecar), and
 * cert-manager renews the intermediate before it expires. istiod must not start before
 * `cacerts` exists, or it generates a self-signed root and the clusters do not trust each
 * other: the Certificate is awaited (condition Ready) before the istiod chart.
 * https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
 *
 * Endpoint discovery. Each istiod reads the other clusters' Services and endpoints with a
 * remote secret: a Secret in its root namespace labelled `istio/multiCluster: "true"`,
 * annotated with the remote cluster's name, holding a kubeconfig for that cluster whose
 * user is the `istio-reader-service-account` (created by the base chart; its ClusterRole
 * by the istiod chart) with a token from a `kubernetes.io/service-account-token` Secret.
 * https://istio.io/latest/docs/setup/install/multicluster/multi-primary/
 */
import { X509Certificate, createPrivateKey } from "crypto";
import { stringify } from "yaml";
import { K8sObject, platformLabels } from "../k8s-object";
import { CERT_MANAGER_NAMESPACE } from "./cert-manager";

/** The config secret holding the mesh root CA: its certificate and private key, PEM, in one value. */
export const MESH_ROOT_CA = "meshRootCa";
/** Names in each cluster. */
export const MESH_ROOT_SECRET = "istio-mesh-root-ca";
export const MESH_ROOT_ISSUER = "istio-mesh-root-ca";
export const MESH_INTERMEDIATE_CERTIFICATE = "istio-intermediate-ca";
/** The Secret istiod's chart mounts for a plugged-in CA (the name is fixed by Istio). */
export const ISTIO_CACERTS_SECRET = "cacerts";
/** Created by the istio base chart; its ClusterRole `istio-reader-clusterrole-*` by the istiod chart. */
export const ISTIO_READER_SERVICE_ACCOUNT = "istio-reader-service-account";
export const ISTIO_READER_TOKEN_SECRET = "istio-reader-service-account-token";
/** Lifetime of each cluster's intermediate, and when cert-manager renews it. */
export const INTERMEDIATE_DURATION = "8760h";
export const INTERMEDIATE_RENEW_BEFORE = "720h";

const LABELS = platformLabels("istio-multicluster");

export interface MeshRootCa {
  /** PEM of the root certificate. */
  cert: string;
  /** PEM of its private key. */
  key: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
const HOW_TO =
  "set it with: cat root-cert.pem root-key.pem | pulumi config set --secret meshRootCa " +
  "(a CA certificate, basicConstraints CA:TRUE, and its private key, PEM)";

/**
 * The root CA from the config secret's text (certificate and key PEM blocks, in any
 * order). Throws an error naming what is wrong; never includes the value in it.
 */
export function parseMeshRootCa(text: string, now: Date = new Date()): MeshRootCa {
  const where = `the secret k8s-netplat:${MESH_ROOT_CA}`;
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ type: m[1], pem: `${m[0]}\n` }));
  const certs = blocks.filter((b) => b.type === "CERTIFICATE");
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.type));
  if (certs.length !== 1 || keys.length !== 1) {
    throw new Error(
      `${where}: expected one CERTIFICATE and one PRIVATE KEY PEM block, found ${certs.length} certificate(s) and ${keys.length} key(s); ${HOW_TO}`,
    );
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certs[0].pem);
  } catch (e) {
    throw new Error(`${where}: the certificate does not parse (${(e as Error).message}); ${HOW_TO}`);
  }
  let key;
  try {
    key = createPrivateKey(keys[0].pem);
  } catch (e) {
    throw new Error(`${where}: the private key does not parse (${(e as Error).message}); ${HOW_TO}`);
  }
  if (!x509.ca)
    throw new Error(`${where}: the certificate is not a CA (basicConstraints CA:TRUE); ${HOW_TO}`);
  if (!x509.checkPrivateKey(key)) {
    throw new Error(`${where}: the private key does not belong to the certificate; ${HOW_TO}`);
  }
  if (new Date(x509.validTo).getTime() <= now.getTime()) {
    throw new Error(`${where}: the certificate expired on ${x509.validTo}; issue a new root and ${HOW_TO}`);
  }
  return { cert: certs[0].pem, key: keys[0].pem };
}

/**
 * The root CA as a Secret in cert-manager's namespace, where a ClusterIssuer reads its CA
 * (cert-manager's cluster resource namespace). Values as given: the caller passes secret Outputs.
 */
export function meshRootSecret<T>(cert: T, key: T): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: MESH_ROOT_SECRET, namespace: CERT_MANAGER_NAMESPACE, labels: LABELS },
    stringData: { "tls.crt": cert, "tls.key": key },
  };
}

export function meshRootIssuer(): K8sObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: MESH_ROOT_ISSUER, labels: LABELS },
    spec: { ca: { secretName: MESH_ROOT_SECRET } },
  };
}

/**
 * The cluster's intermediate CA, written by cert-manager into `<istio root namespace>/cacerts`
 * (tls.crt, tls.key, ca.crt). Awaited until Ready, so istiod finds it when it starts.
 */
export function intermediateCertificate(cluster: string, istioNamespace: string): K8sObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: {
      name: MESH_INTERMEDIATE_CERTIFICATE,
      namespace: istioNamespace,
      labels: LABELS,
      annotations: { "pulumi.com/waitFor": "condition=Ready" },
    },
    spec: {
      isCA: true,
      commonName: `k8s-netplat istio intermediate CA ${cluster}`,
      subject: { organizations: ["k8s-netplat"], organizationalUnits: [cluster] },
      secretName: ISTIO_CACERTS_SECRET,
      duration: INTERMEDIATE_DURATION,
      renewBefore: INTERMEDIATE_RENEW_BEFORE,
      privateKey: { algorithm: "RSA", size: 2048, encoding: "PKCS8", rotationPolicy: "Always" },
      usages: ["cert sign", "crl sign", "digital signature"],
      issuerRef: { kind: "ClusterIssuer", name: MESH_ROOT_ISSUER, group: "cert-manager.io" },
    },
  };
}

/**
 * A token for the reader ServiceAccount, which Kubernetes' token controller fills. Create
 * it after the ServiceAccount (the base chart): a token Secret whose account does not
 * exist yet is deleted by the controller.
 */
export function readerTokenSecret(istioNamespace: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: {
      name: ISTIO_READER_TOKEN_SECRET,
      namespace: istioNamespace,
      labels: LABELS,
      annotations: {
        "kubernetes.io/service-account.name": ISTIO_READER_SERVICE_ACCOUNT,
        "pulumi.com/waitFor": "jsonpath={.data.token}",
      },
    },
  };
}

export interface RemoteCluster {
  /** The remote cluster's name: its `global.multiCluster.clusterName`. */
  name: string;
  /** Its API server URL as istiod in the other cluster reaches it. */
  server: string;
  /** Its API server CA, base64-encoded PEM (as a token Secret's `ca.crt` holds it). */
  caData: string;
  /** The reader ServiceAccount's token (decoded). */
  token: string;
}

/** A kubeconfig for a remote cluster, the way istiod reads it from a remote secret. */
export function remoteKubeconfig(remote: RemoteCluster): string {
  if (!remote.server) throw new Error(`cluster ${remote.name}: no API server URL for its remote secret`);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: remote.name, cluster: { server: remote.server, "certificate-authority-data": remote.caData } },
    ],
    users: [{ name: remote.name, user: { token: remote.token } }],
    contexts: [{ name: remote.name, context: { cluster: remote.name, user: remote.name } }],
    "current-context": remote.name,
  });
}

/** The remote secret istiod watches for (label, annotation, one kubeconfig keyed by cluster name). */
export function remoteSecret<T>(remoteName: string, istioNamespace: string, kubeconfig: T): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name: `istio-remote-secret-${remoteName}`,
      namespace: istioNamespace,
      labels: { ...LABELS, "istio/multiCluster": "true" },
      annotations: { "networking.istio.io/cluster": remoteName },
    },
    stringData: { [remoteName]: kubeconfig },
  };
}
