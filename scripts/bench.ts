/**
 * `npm run bench`: runs the whole program under Pulumi's mocks with the shop app
 * scaled to 4, 100 and 1,000 microservices, each size in a fresh process, and prints
 * resources registered, time per resource and peak memory, so that cost growth is
 * visible. Cost should grow linearly: the ms/resource column is relative to the
 * smallest size (machine noise cancels in the ratio).
 *
 * Beside each size, the floor (scripts/bench-flat.ts, a fresh process too): the same
 * resources, with the same inputs, registered flat under the same mocks. Its peak memory
 * per resource is the Pulumi SDK's own; ours / floor is what the program adds.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePlatformConfig } from "../lib/config";
import { readRawPlatformConfig, stackFile } from "../lib/stack-file";
import { runUnderMocks } from "./lib/under-mocks";
import { scaledApp } from "./lib/scaled-app";
import { deployStack } from "../components/stack";
import { parseArgv, UsageError } from "./lib/cli";

const SIZES = [4, 100, 1000];
const USAGE = "usage: npm run bench [-- --sizes N,N,...]   (services per size, 1-5000; default 4,100,1000)";

/** `100,1000` as service counts, each from 1 to 5000. */
function parseSizes(value: string): number[] {
  return value.split(",").map((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 5000) {
      throw new UsageError(`--sizes: '${v}' is not a service count from 1 to 5000 (e.g. --sizes 100,1000)`);
    }
    return n;
  });
}

interface Measure {
  resources: number;
  ms: number;
  peakMiB: number;
}

/**
 * Our program at n services. Each resource is appended to `recordsFile` as it is
 * answered (one JSON line), for the floor, instead of being kept until the end.
 */
async function measure(n: number, recordsFile: string): Promise<void> {
  const raw = readRawPlatformConfig(stackFile("prod"));
  const platform = parsePlatformConfig(raw);
  platform.app.spec = scaledApp(n);
  const fd = fs.openSync(recordsFile, "w");
  const start = process.hrtime.bigint();
  const { resources } = await runUnderMocks("prod", raw, () => deployStack(platform), {
    sink: (r) => fs.writeSync(fd, `${JSON.stringify(r)}\n`),
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.closeSync(fd);
  // The kernel's high-water mark of the whole process: a sampling timer would miss the
  // peak, since registrations run as one long chain of microtasks.
  const peakMiB = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
  const m: Measure = { resources: resources.length, ms, peakMiB };
  console.log(JSON.stringify(m));
}

function run(script: string, args: string[]): Measure {
  const out = execFileSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, script), ...args],
    { encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Measure;
}

function main(): void {
  let sizes: number[];
  let args;
  try {
    // `--size <n> <records>` is how the bench runs one size in its own process.
    args = parseArgv(process.argv.slice(2), {
      sizes: { value: "<n,n,...>" },
      size: { value: "<n>", value2: "<records-file>" },
    });
    sizes = args.flags.sizes !== undefined ? parseSizes(args.flags.sizes) : SIZES;
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
    const [n, records] = args.flags.size;
    measure(Number(n), records).catch((e) => {
      console.error(e);
      process.exit(1);
    });
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "netplat-bench-"));
  const rows: Array<{ n: number; ours: Measure; flat: Measure }> = [];
  try {
    for (const n of sizes) {
      const records = path.join(tmp, `records-${n}.ndjson`);
      const ours = run("bench.ts", ["--size", String(n), records]);
      const flat = run("bench-flat.ts", [records]);
      if (flat.resources !== ours.resources) {
        throw new Error(
          `${n} services: the floor registered ${flat.resources} resources, ours ${ours.resources}`,
        );
      }
      rows.push({ n, ours, flat });
      fs.rmSync(records);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const base = rows[0].ours.ms / rows[0].ours.resources;
  const kb = (m: Measure) => (m.peakMiB * 1024) / m.resources;
  console.log(
    "services  resources  total ms  ms/resource  peak RSS MiB  KB/resource  ms/resource vs first" +
      "  floor MiB  floor KB/resource  ours/floor",
  );
  for (const { n, ours, flat } of rows) {
    const per = ours.ms / ours.resources;
    console.log(
      `${String(n).padStart(8)}  ${String(ours.resources).padStart(9)}  ${ours.ms.toFixed(0).padStart(8)}  ` +
        `${per.toFixed(3).padStart(11)}  ${ours.peakMiB.toFixed(0).padStart(12)}  ${kb(ours).toFixed(0).padStart(11)}  ` +
        `${(per / base).toFixed(2).padStart(16)}  ${flat.peakMiB.toFixed(0).padStart(9)}  ` +
        `${kb(flat).toFixed(0).padStart(17)}  ${(ours.peakMiB / flat.peakMiB).toFixed(2).padStart(9)}x`,
    );
  }
}

main();
