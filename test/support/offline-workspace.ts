/**
 * A throwaway copy of the project for running the real Pulumi engine offline: the
 * committed files, the root node_modules linked in, a file backend and a passphrase,
 * and the stack's config adjusted for a machine with no cluster and no chart
 * repositories (render mode, fixture charts, cert-manager as a chart). The committed
 * stacks/ files are never touched.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

export const REPO = path.resolve(__dirname, "..", "..");
const TOOLCHAIN = path.join(REPO, ".toolchain");

export interface Workspace {
  dir: string;
  renderDir: string;
  env: NodeJS.ProcessEnv;
  /** Runs the pulumi CLI in the workspace; never throws on a non-zero exit. */
  pulumi(args: string[], timeoutMs?: number): { code: number; stdout: string; stderr: string };
}

/** The toolchain scripts/toolchain.sh builds; throws saying how to get it when it is missing. */
export function toolchainEnv(): NodeJS.ProcessEnv {
  const home = process.env.PULUMI_HOME ?? path.join(TOOLCHAIN, "pulumi-home");
  const needed = [
    path.join(TOOLCHAIN, "bin", "pulumi"),
    path.join(TOOLCHAIN, "bin", "pulumi-language-nodejs"),
    path.join(home, "plugins", "resource-kubernetes-v4.34.2", "pulumi-resource-kubernetes"),
  ];
  const missing = needed.filter((f) => !fs.existsSync(f));
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

export type PlatformPatch = (platform: Record<string, unknown>) => void;

/**
 * Copies the project to a temp dir and prepares `stack` for an offline run. `patch`
 * may change the platform config further (an insecure change, say).
 */
export function offlineWorkspace(stack: string, patch?: PlatformPatch): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `netplat-${stack}-`));
  const dir = path.join(root, "project");
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(REPO, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
  const renderDir = path.join(root, "manifests");
  const stackFile = path.join(dir, "stacks", `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(stackFile, "utf8"));
  const platform = doc.config["k8s-netplat:platform"];
  platform.charts = parse(fs.readFileSync(path.join(dir, "test", "fixtures", "offline-charts.yaml"), "utf8"));
  platform.certificates.installer = "chart";
  platform.render = { directory: renderDir };
  patch?.(platform);
  fs.writeFileSync(stackFile, stringify(doc));

  const env = {
    ...toolchainEnv(),
    PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "offline-test-only",
  };
  fs.mkdirSync(path.join(root, "state"));
  const pulumi = (args: string[], timeoutMs = 600_000) => {
    const r = spawnSync("pulumi", [...args, "--non-interactive"], {
      cwd: dir,
      env,
      encoding: "utf8",
      timeout: timeoutMs,
      maxBuffer: 256 * 2 ** 20,
    });
    return {
      code: r.status ?? -1,
      stdout: r.stdout ?? "",
      stderr: (r.stderr ?? "") + (r.error ? String(r.error) : ""),
    };
  };
  const init = pulumi(["stack", "init", stack]);
  if (init.code !== 0) throw new Error(`pulumi stack init ${stack} failed: ${init.stderr}${init.stdout}`);
  if (platform.submariner) {
    // Render mode reads no cluster, so the broker's credentials come from config
    // secrets; these are test values, encrypted with the test passphrase.
    for (const [key, value] of [
      ["submarinerBrokerToken", "offline-test-token"],
      ["submarinerBrokerCa", Buffer.from("offline-test-ca").toString("base64")],
    ]) {
      const set = pulumi(["config", "set", "--secret", "--stack", stack, key, value]);
      if (set.code !== 0) throw new Error(`pulumi config set ${key} failed: ${set.stderr}`);
    }
  }
  return { dir, renderDir, env, pulumi };
}
