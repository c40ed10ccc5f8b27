/**
 * BENCHMARK ONLY (`npm run bench:engine`): the floor. A flat Pulumi program that
 * registers exactly the Kubernetes objects our program rendered (the YAML files under
 * $NETPLAT_BENCH_MANIFESTS), through one yaml/v2 ConfigGroup and one render-mode
 * provider: no planning, no components, no transforms.
 */
import * as k8s from "@pulumi/kubernetes";
import * as fs from "fs";
import * as path from "path";

const from = process.env.NETPLAT_BENCH_MANIFESTS ?? "";
const to = process.env.NETPLAT_BENCH_RENDER ?? "";
if (!from || !to) throw new Error("NETPLAT_BENCH_MANIFESTS and NETPLAT_BENCH_RENDER must be set");
const files = (fs.readdirSync(from, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => path.join(from, f));
const provider = new k8s.Provider("flat", { kubeconfig: "", renderYamlToDirectory: to });
new k8s.yaml.v2.ConfigGroup("flat", { files }, { provider });
