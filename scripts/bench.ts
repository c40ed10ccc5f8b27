/**
 * `npm run bench`: runs the whole program under Pulumi's mocks with the shop app
 * scaled to 4, 100 and 1,000 microservices, each size in a fresh process, and prints
 * resources registered, time per resource and peak memory, so that cost growth is
 * visible. Cost should grow linearly: the last column is time per resource relative
 * to the smallest size (machine noise cancels in the ratio).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { parsePlatformConfig } from "../lib/config";
import { readRawPlatformConfig, stackFile } from "../lib/stack-file";
import { runUnderMocks } from "./lib/under-mocks";
import { scaledApp } from "./lib/scaled-app";
import { deployStack } from "../components/stack";
import { parseArgv, UsageError } from "./lib/cli";

const SIZES = [4, 100, 1000];

async function measure(n: number): Promise<void> {
  const raw = readRawPlatformConfig(stackFile("prod"));
  const platform = parsePlatformConfig(raw);
  platform.app.spec = scaledApp(n);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const start = process.hrtime.bigint();
  const { resources } = await runUnderMocks("prod", raw, () => deployStack(platform));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  console.log(JSON.stringify({ n, resources: resources.length, ms, peakMiB: peak / 2 ** 20 }));
}

const USAGE = "usage: npm run bench   (the sizes 4, 100, 1000, each in its own process: --size <n> runs one)";

function main(): void {
  let args;
  try {
    args = parseArgv(process.argv.slice(2), { size: { value: "<n>" } });
    if (args.flags.size !== undefined && !/^[1-9]\d*$/.test(args.flags.size))
      throw new UsageError(`--size: '${args.flags.size}' is not a service count (e.g. --size 100)`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench: ${e.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if (args.flags.size !== undefined) {
    measure(Number(args.flags.size)).catch((e) => {
      console.error(e);
      process.exit(1);
    });
    return;
  }
  const rows: Array<{ n: number; resources: number; ms: number; peakMiB: number }> = [];
  for (const n of SIZES) {
    const out = execFileSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(__dirname, "bench.ts"), "--size", String(n)],
      { encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
    );
    rows.push(JSON.parse(out.trim().split("\n").pop()!));
  }
  const base = rows[0].ms / rows[0].resources;
  console.log("services  resources  total ms  ms/resource  peak RSS MiB  ms/resource vs 4");
  for (const r of rows) {
    const per = r.ms / r.resources;
    console.log(
      `${String(r.n).padStart(8)}  ${String(r.resources).padStart(9)}  ${r.ms.toFixed(0).padStart(8)}  ` +
        `${per.toFixed(3).padStart(11)}  ${r.peakMiB.toFixed(0).padStart(12)}  ${(per / base).toFixed(2).padStart(16)}`,
    );
  }
}

main();
