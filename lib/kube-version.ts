/**
 * Render mode's guarantee: charts are rendered for the Kubernetes version the manifests
 * are meant for. The Kubernetes provider has no version input for Helm charts; it asks
 * the cluster its kubeconfig reaches, and in render mode (where the provider refuses a
 * `kubeconfig` argument) that is the ambient $KUBECONFIG. Without one, Helm's built-in
 * default, v1.20, is used and charts that need newer Kubernetes refuse to render or,
 * worse, render for the wrong API versions. So render mode asks the same server for its
 * version first and refuses to start unless it matches `clusters[].kubernetesVersion`.
 */
import * as fs from "fs";
import * as https from "https";
import { parse } from "yaml";

export interface KubeVersion {
  major: number;
  minor: number;
  patch?: number;
}

export function parseKubeVersion(v: string): KubeVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(v.trim());
  if (!m) throw new Error(`not a Kubernetes version: "${v}" (expected e.g. 1.34 or v1.34.4)`);
  return { major: Number(m[1]), minor: Number(m[2]), ...(m[3] !== undefined ? { patch: Number(m[3]) } : {}) };
}

/** True when the server's version satisfies the wanted one (a wanted minor matches any patch). */
export function versionMatches(wanted: string, server: string): boolean {
  const w = parseKubeVersion(wanted);
  const s = parseKubeVersion(server);
  return w.major === s.major && w.minor === s.minor && (w.patch === undefined || w.patch === s.patch);
}

interface KubeconfigDoc {
  "current-context"?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{
    name: string;
    cluster: { server: string; "certificate-authority-data"?: string; "certificate-authority"?: string };
  }>;
  users?: Array<{
    name: string;
    user: {
      "client-certificate-data"?: string;
      "client-key-data"?: string;
      "client-certificate"?: string;
      "client-key"?: string;
      token?: string;
    };
  }>;
}

export interface ServerEndpoint {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

/** The API server and credentials of a kubeconfig's context (default: current) (certificates or a bearer token). */
export function endpointFromKubeconfig(text: string, where: string, context?: string): ServerEndpoint {
  const doc = parse(text) as KubeconfigDoc | null;
  const ctxName = context ?? doc?.["current-context"];
  const ctx = doc?.contexts?.find((c) => c.name === ctxName)?.context;
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc?.users?.find((u) => u.name === ctx?.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${where}: no server for the current context "${ctxName ?? ""}"`);
  const data = (inline?: string, file?: string) =>
    inline ? Buffer.from(inline, "base64") : file ? fs.readFileSync(file) : undefined;
  return {
    server: cluster.server,
    ca: data(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    cert: data(user["client-certificate-data"], user["client-certificate"]),
    key: data(user["client-key-data"], user["client-key"]),
    token: user.token,
  };
}

/** GET /version from the server; rejects with a message naming the server. */
export async function fetchServerVersion(ep: ServerEndpoint, timeoutMs = 10_000): Promise<string> {
  const body = await fetchApi(ep, "/version", timeoutMs);
  try {
    return (JSON.parse(body) as { gitVersion: string }).gitVersion;
  } catch {
    throw new Error(`${ep.server}/version answered something that is not a version: ${body.slice(0, 200)}`);
  }
}

/** GET of one API path; resolves with the body on HTTP 200, rejects naming the server and status otherwise. */
export function fetchApi(ep: ServerEndpoint, apiPath: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(apiPath, ep.server);
    const req = https.get(
      url,
      {
        ca: ep.ca,
        cert: ep.cert,
        key: ep.key,
        headers: ep.token ? { authorization: `Bearer ${ep.token}` } : {},
        timeout: timeoutMs,
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString("utf8")));
        res.on("end", () => {
          if (res.statusCode !== 200) {
            reject(
              new Error(
                `${ep.server}${apiPath} answered HTTP ${res.statusCode}: ${body.trim().slice(0, 300)}`,
              ),
            );
            return;
          }
          resolve(body);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${ep.server}: no answer within ${timeoutMs / 1000} s`)));
    req.on("error", (e) => reject(new Error(`${ep.server}: ${e.message}`)));
  });
}

/**
 * Render mode's check, for every cluster of the stack: the server behind $KUBECONFIG
 * answers a version each cluster's `kubernetesVersion` accepts. Returns the problems
 * (empty when all is well), each naming the cluster and what to do.
 */
export async function renderCapabilityProblems(
  clusters: ReadonlyArray<{ name: string; kubernetesVersion?: string }>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const file = (env.KUBECONFIG ?? "").split(":").find((f) => f.length > 0);
  const howTo =
    "render mode renders Helm charts against a server of the target version: start one with " +
    "`npm run --silent cluster -- up` and export the KUBECONFIG it prints (npm run render does this)";
  if (!file) return [`KUBECONFIG is not set; ${howTo}`];
  let version: string;
  try {
    version = await fetchServerVersion(endpointFromKubeconfig(fs.readFileSync(file, "utf8"), file));
  } catch (e) {
    return [
      `the cluster in KUBECONFIG (${file}) did not answer its version: ${(e as Error).message}; ${howTo}`,
    ];
  }
  return clusters
    .filter((c) => c.kubernetesVersion && !versionMatches(c.kubernetesVersion, version))
    .map(
      (c) =>
        `clusters[${c.name}].kubernetesVersion is ${c.kubernetesVersion} but the server in KUBECONFIG ` +
        `(${file}) is ${version}: render against a server of the target version, or change kubernetesVersion`,
    );
}
