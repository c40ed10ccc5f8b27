/** Reads the platform config out of a stack file (stacks/Pulumi.<stack>.yaml) without the Pulumi engine. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_KEY, CONFIG_NAMESPACE, PlatformConfig, parsePlatformConfig } from "./config";

export const STACKS_DIR = path.join(__dirname, "..", "stacks");
export const STACK_NAMES = ["dev", "prod", "multi-cluster"] as const;

export function stackFile(stack: string): string {
  return path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** The raw `k8s-netplat:platform` value of a stack file; throws naming the file when it cannot be read. */
export function readRawPlatformConfig(file: string): unknown {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const config = (doc as { config?: Record<string, unknown> } | null)?.config;
  if (!config || typeof config !== "object") {
    throw new Error(`${file}: no top-level "config:" map (expected a Pulumi stack file)`);
  }
  return config[`${CONFIG_NAMESPACE}:${CONFIG_KEY}`];
}

export function loadStackConfig(stack: string): PlatformConfig {
  return parsePlatformConfig(readRawPlatformConfig(stackFile(stack)));
}
