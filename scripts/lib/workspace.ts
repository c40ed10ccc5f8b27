/**
 * A copy of the project for running the real Pulumi engine: the committed files, the
 * root node_modules linked in, a file backend, and the stack's config set for the run:
 * either render mode (render directory, cert-manager as a chart, charts rendered against
 * the server in $KUBECONFIG) or live clusters (kubeconfigs set as the stack's
 * `kubeconfigs` secret); charts from a local mirror (one directory per chart key) or,
 * on request, fixture charts (for tests that need a tiny chart; they are not the
 * add-ons). The committed stacks/ files are never touched. Used by `npm run render`,
 * the integration suite and the lifecycle suite.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parsePlatformConfig } from "../../lib/config";
import { stackSecretsUsed } from "../../lib/stack-secrets";

/**
 * Placeholder values for the stack's config secrets in a workspace (tests, `npm run
 * render`): encrypted with the workspace's passphrase like real ones. Render mode writes
 * none of them; the integration suite checks that no rendered file contains one.
 */
/**
 * A throwaway mesh root CA (certificate and key, PEM) for workspaces and tests, made by
 * openssl once per process: a real CA, so cert-manager on a live test cluster can issue
 * from it. Never a committed key.
 */
function throwawayMeshRootCa(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-root-"));
  try {
    const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/O=k8s-netplat-test/CN=offline-test-mesh-root",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return fs.readFileSync(cert, "utf8") + fs.readFileSync(key, "utf8");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const PLACEHOLDER_SECRETS = {
  submarinerBrokerToken: "offline-test-token",
  submarinerBrokerCa: Buffer.from("offline-test-ca").toString("base64"),
  submarinerPsk: "offline-test-ipsec-psk",
  grafanaAdminPassword: "offline-test-grafana-password",
  // 32 characters, a length Kiali accepts.
  kialiSigningKey: "offline-test-kiali-signing-key-0",
  meshRootCa: throwawayMeshRootCa(),
} as const;

export const REPO = path.resolve(__dirname, "..", "..");
const TOOLCHAIN = path.join(REPO, ".toolchain");
/** The plugin version the npm SDK asks for: package.json's pin (scripts/toolchain.sh installs that). */
const K8S_PLUGIN_VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  }
).dependencies["@pulumi/kubernetes"];

export interface Workspace {
  dir: string;
  renderDir: string;
  env: NodeJS.ProcessEnv;
  /** Runs the pulumi CLI in the workspace; never throws on a non-zero exit. */
  pulumi(
    args: string[],
    timeoutMs?: number,
    input?: string,
  ): { code: number; stdout: string; stderr: string };
}

/** The toolchain scripts/toolchain.sh builds; throws saying how to get it when it is missing. */
export function toolchainEnv(): NodeJS.ProcessEnv {
  const home = process.env.PULUMI_HOME ?? path.join(TOOLCHAIN, "pulumi-home");
  const onPath = (bin: string) =>
    (process.env.PATH ?? "").split(":").some((d) => d && fs.existsSync(path.join(d, bin)));
  const missing = [
    ...["pulumi", "pulumi-language-nodejs"]
      .filter((b) => !fs.existsSync(path.join(TOOLCHAIN, "bin", b)) && !onPath(b))
      .map((b) => path.join(TOOLCHAIN, "bin", b)),
    ...[
      path.join(home, "plugins", `resource-kubernetes-v${K8S_PLUGIN_VERSION}`, "pulumi-resource-kubernetes"),
    ].filter((f) => !fs.existsSync(f)),
  ];
  if (missing.length > 0) {
    throw new Error(
      `the Pulumi toolchain is missing (${missing.join(", ")}); build it with: bash scripts/toolchain.sh`,
    );
  }
  return {
    ...process.env,
    PATH: `${path.join(TOOLCHAIN, "bin")}:${process.env.PATH}`,
    PULUMI_HOME: home,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/**
 * Engine settings for render mode. The file backend rewrites the whole state file (and a
 * `.bak` copy) on every step of an update, so an `up` costs the square of the object count:
 * the multi-cluster stack (904 objects, 34 MB of state, most of it CRD schemas) wrote
 * 0.7 GB per 30 s and had not finished after 15 min, while its preview took 2 min. Render
 * mode changes nothing live, so the state is saved once, at the end of the run
 * (`PULUMI_SKIP_CHECKPOINTS`): a run killed midway leaves the previous state, and the next
 * render writes every file again.
 */
export const RENDER_ENGINE_ENV = { PULUMI_SKIP_CHECKPOINTS: "true" } as const;

export type PlatformPatch = (platform: Record<string, unknown>) => void;

export interface WorkspaceOptions {
  stack: string;
  /** Folder for the project copy, the state backend and the manifests; a new temp dir by default. */
  root?: string;
  /** Where render mode writes the manifests; `<root>/manifests` by default. */
  renderDir?: string;
  /** Replace every chart source with its fixture under test/fixtures/charts. */
  fixtureCharts: boolean;
  /** A chart mirror: every chart key is read from `<mirror>/<key>` (e.g. ../shared/charts). */
  chartMirror?: string;
  /**
   * Deploy to live clusters instead of rendering: kubeconfig file per cluster name, set as
   * the stack's `kubeconfigs` secret. Render mode when omitted.
   */
  kubeconfigs?: Record<string, string>;
  /**
   * Run the program through test/cluster/harness.ts (test harness only: neutralises
   * admission webhooks that no fake node can serve). Never used by `npm run render`.
   */
  harness?: boolean;
  /** Another program entry point for Pulumi.yaml's `main` (a benchmark's program); a committed file. */
  main?: string;
  /** Environment for the CLI (e.g. KUBECONFIG of the render-capabilities cluster). */
  extraEnv?: NodeJS.ProcessEnv;
  /** Further changes to the platform config (an insecure change, say). */
  patch?: PlatformPatch;
  /** Secrets passphrase for the file backend; a fixed test value by default. */
  passphrase?: string;
}

export function prepareWorkspace(o: WorkspaceOptions): Workspace {
  const root = o.root ?? fs.mkdtempSync(path.join(os.tmpdir(), `netplat-${o.stack}-`));
  const stack = o.stack;
  const dir = path.join(root, "project");
  const stackFile = path.join(dir, "stacks", `Pulumi.${stack}.yaml`);
  // A re-used workspace keeps its stack's secrets salt, or its state could not be decrypted.
  const salt = fs.existsSync(stackFile)
    ? parse(fs.readFileSync(stackFile, "utf8"))?.encryptionsalt
    : undefined;
  fs.rmSync(dir, { recursive: true, force: true });
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(REPO, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  const renderDir = path.resolve(o.renderDir ?? path.join(root, "manifests"));
  const doc = parse(fs.readFileSync(stackFile, "utf8"));
  if (salt) doc.encryptionsalt = salt;
  const platform = doc.config["k8s-netplat:platform"];
  if (o.fixtureCharts) {
    platform.charts = parse(
      fs.readFileSync(path.join(dir, "test", "fixtures", "offline-charts.yaml"), "utf8"),
    );
  } else if (o.chartMirror) {
    // The program's own `charts.mirror` key, as a user's stack sets it.
    platform.charts = { mirror: path.resolve(o.chartMirror) };
  }
  platform.certificates.installer = "chart";
  if (!o.kubeconfigs) platform.render = { directory: renderDir };
  for (const c of platform.clusters as Array<{ name: string; context?: string }>) {
    // A supplied kubeconfig is used at its current context, not the stack file's context name.
    if (o.kubeconfigs?.[c.name]) delete c.context;
  }
  o.patch?.(platform);
  fs.writeFileSync(stackFile, stringify(doc));
  if (o.harness || o.main) {
    const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
    project.main = o.main ?? "test/cluster/harness.ts";
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(project));
  }

  const env = {
    ...toolchainEnv(),
    // Render mode renders charts against the server in KUBECONFIG (see lib/kube-version.ts).
    ...(o.kubeconfigs ? {} : { KUBECONFIG: o.extraEnv?.KUBECONFIG ?? renderClusterKubeconfig() }),
    ...(o.kubeconfigs ? {} : RENDER_ENGINE_ENV),
    ...o.extraEnv,
    PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: o.passphrase ?? "offline-test-only",
  };
  fs.mkdirSync(path.join(root, "state"), { recursive: true });
  const pulumi = (args: string[], timeoutMs = 600_000, input?: string) => {
    const r = spawnSync("pulumi", [...args, "--non-interactive"], {
      cwd: dir,
      env,
      encoding: "utf8",
      timeout: timeoutMs,
      maxBuffer: 256 * 2 ** 20,
      input,
    });
    return {
      code: r.status ?? -1,
      stdout: r.stdout ?? "",
      stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""),
    };
  };
  const exists = pulumi(["stack", "select", stack]).code === 0;
  const init = exists ? { code: 0, stderr: "", stdout: "" } : pulumi(["stack", "init", stack]);
  if (init.code !== 0) throw new Error(`pulumi stack init ${stack} failed: ${init.stderr}${init.stdout}`);
  for (const [cluster, file] of Object.entries(o.kubeconfigs ?? {})) {
    // Through stdin, so the credential never appears on a command line.
    const set = pulumi(
      ["config", "set", "--secret", "--stack", stack, "--path", `kubeconfigs["${cluster}"]`],
      60_000,
      fs.readFileSync(file, "utf8"),
    );
    if (set.code !== 0) throw new Error(`pulumi config set kubeconfigs["${cluster}"] failed: ${set.stderr}`);
  }
  const placeholders: Array<keyof typeof PLACEHOLDER_SECRETS> = [];
  if (platform.submariner && !o.kubeconfigs) {
    // Render mode reads no cluster, so the broker's credentials come from config secrets.
    placeholders.push("submarinerBrokerToken", "submarinerBrokerCa", "submarinerPsk");
  }
  try {
    placeholders.push(...stackSecretsUsed(parsePlatformConfig(platform)).map((s) => s.key));
  } catch {
    // A config the program refuses (a test of bad input): it reports that itself.
  }
  for (const key of placeholders) {
    const set = pulumi(
      ["config", "set", "--secret", "--stack", stack, key],
      60_000,
      PLACEHOLDER_SECRETS[key],
    );
    if (set.code !== 0) throw new Error(`pulumi config set ${key} failed: ${set.stderr}`);
  }
  return { dir, renderDir, env, pulumi };
}

/** The local cluster render mode renders charts against (started when not running). */
export const RENDER_CLUSTER = "render";

/**
 * The kubeconfig of the local cluster render mode uses for chart capabilities: starts it
 * with scripts/cluster.ts (a no-op when it runs) and returns the KUBECONFIG it prints.
 */
export function renderClusterKubeconfig(name = RENDER_CLUSTER): string {
  const r = spawnSync(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      path.join(REPO, "scripts", "cluster.ts"),
      "up",
      "--name",
      name,
      "--nodes",
      "1",
    ],
    { cwd: REPO, encoding: "utf8", timeout: 300_000 },
  );
  const line = /^KUBECONFIG=(.+)$/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !line) {
    throw new Error(
      `could not start the local cluster '${name}' for render mode: ${(r.stderr ?? "").trim() || r.error}`,
    );
  }
  return line[1];
}

/** The read-only upstream chart mirror beside the repository (see its README). */
export const SHARED_CHARTS = path.resolve(REPO, "..", "shared", "charts");

/** A throwaway workspace for the integration tests: fixture charts, temp dir. */
export function offlineWorkspace(stack: string, patch?: PlatformPatch): Workspace {
  return prepareWorkspace({ stack, fixtureCharts: true, patch });
}

/** The flags that enforce the policy pack with the stack's own policy config. */
export function policyPackArgs(stack: string): string[] {
  return ["--policy-pack", "policy-pack", "--policy-pack-config", `policy-pack/config/${stack}.json`];
}
