/**
 * `npm run --silent config:check -- <stack config file>...`
 * Exit codes (README.md, "Exit codes"): 0 every file is valid; 1 some file is invalid
 * (each problem names its key); 2 a file cannot be read or is not YAML, or bad
 * arguments; 3 internal error.
 */
import { ConfigError, parsePlatformConfig } from "../lib/config";
import { readRawPlatformConfig } from "../lib/stack-file";
import { EXIT, exitCodesHelp, parseArgv, runMain, UsageError } from "./lib/cli";

const USAGE = `usage: npm run --silent config:check -- <stacks/Pulumi.<stack>.yaml>...
  Validates the k8s-netplat:platform config of each stack file, naming each bad key.
${exitCodesHelp("some file's config is invalid")}`;

function main(argv: string[]): number {
  const { positionals: files, help } = parseArgv(argv, {}, { positionals: "<stack file>..." });
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }
  if (files.length === 0) throw new UsageError("no stack file given");
  let worst: number = EXIT.clean;
  for (const file of files) {
    let raw: unknown;
    try {
      raw = readRawPlatformConfig(file);
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      worst = EXIT.invalid;
      continue;
    }
    try {
      parsePlatformConfig(raw);
      console.log(`ok: ${file}`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(`invalid: ${file}`);
      for (const p of e.problems) console.error(`  - ${p}`);
      worst = Math.max(worst, EXIT.finding);
    }
  }
  return worst;
}

runMain("config:check", USAGE, () => main(process.argv.slice(2)));
