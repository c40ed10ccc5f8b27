/**
 * The chart mirror the lifecycle and fault suites deploy from: the read-only upstream
 * mirror beside the repository (../shared/charts), prepared once per run with
 * `npm run charts:mirror` so that every values.schema.json validates offline.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO, SHARED_CHARTS } from "../../scripts/lib/workspace";

let prepared: string | undefined;

export function chartMirrorForTests(): string {
  if (prepared) return prepared;
  // An already prepared mirror (e.g. from an earlier run) skips the preparation.
  if (process.env.NETPLAT_PREPARED_CHARTS)
    return (prepared = path.resolve(process.env.NETPLAT_PREPARED_CHARTS));
  const out = path.join(os.tmpdir(), `netplat-charts-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  const r = spawnSync(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "scripts/charts-mirror.ts",
      "--out",
      out,
      "--from",
      SHARED_CHARTS,
    ],
    { cwd: REPO, encoding: "utf8", timeout: 600_000 },
  );
  if (r.status !== 0)
    throw new Error(`npm run charts:mirror failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  prepared = out;
  return out;
}
