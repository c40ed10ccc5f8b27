/**
 * `npm run --silent config:check -- <stack config file>...`
 * Exit 0: every file is valid. Exit 1: some file is invalid (each problem names its
 * key). Exit 2: a file cannot be read or is not YAML, or no file was given.
 */
import { ConfigError, parsePlatformConfig } from "../lib/config";
import { readRawPlatformConfig } from "../lib/stack-file";

function main(files: string[]): number {
  if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
    console.error("usage: npm run --silent config:check -- <stacks/Pulumi.<stack>.yaml>...");
    return 2;
  }
  let worst = 0;
  for (const file of files) {
    let raw: unknown;
    try {
      raw = readRawPlatformConfig(file);
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      worst = 2;
      continue;
    }
    try {
      parsePlatformConfig(raw);
      console.log(`ok: ${file}`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(`invalid: ${file}`);
      for (const p of e.problems) console.error(`  - ${p}`);
      worst = Math.max(worst, 1);
    }
  }
  return worst;
}

process.exitCode = main(process.argv.slice(2));
