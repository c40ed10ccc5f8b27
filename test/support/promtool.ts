/**
 * Prometheus' promtool for the alert tests (scripts/promtool.sh builds it): where it is,
 * and running it on files. A missing binary is an error naming how to build it, so the
 * suites fail rather than skip.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");

/** promtool: $PROMTOOL, else .toolchain/bin/promtool; throws saying how to build it. */
export function promtoolBinary(): string {
  const bin = process.env.PROMTOOL ?? path.join(REPO, ".toolchain", "bin", "promtool");
  if (!fs.existsSync(bin)) {
    throw new Error(
      `promtool is not built (${bin} missing); build it with: bash scripts/promtool.sh (or set PROMTOOL to a promtool binary)`,
    );
  }
  return bin;
}

export interface PromtoolResult {
  status: number | null;
  output: string;
}

/** Runs `promtool <args>`; returns its exit status and combined output. */
export function promtool(args: string[]): PromtoolResult {
  const r = spawnSync(promtoolBinary(), args, { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
