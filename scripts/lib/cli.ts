/**
 * The exit-code contract every command of this repository keeps (README.md, "Exit
 * codes"), and the wrapper that enforces it: a message on one line, never a stack trace.
 *
 *   0  clean
 *   1  the finding the command exists for (a mandatory violation, an invalid config, ...)
 *   2  invalid input or arguments (the message names the file, object and field)
 *   3  internal error: a bug in the command, not in the input
 */
import { InputError } from "../../policy-pack/manifests";

export const EXIT = { clean: 0, finding: 1, invalid: 2, internal: 3 } as const;

/** The exit-code lines of a command's --help; `finding` says what exit 1 means for it. */
export function exitCodesHelp(finding: string): string {
  return [
    "Exit codes (the same for every command, see README.md):",
    "  0 clean; 1 " + finding + "; 2 invalid input or arguments; 3 internal error (a bug: please report it).",
  ].join("\n");
}

/** Bad arguments: exit 2 with the message and the usage. */
export class UsageError extends Error {}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Runs `main` as the process's command: its result is the exit code; an InputError is
 * exit 2, a UsageError exit 2 with the usage, anything else exit 3 with a one-line
 * message (the stack only with NETPLAT_DEBUG=1).
 */
export function runMain(name: string, usage: string, main: () => number | Promise<number>): void {
  const report = (e: unknown): number => {
    if (e instanceof UsageError) {
      process.stderr.write(`${name}: ${oneLine(e.message)}\n${usage}\n`);
      return EXIT.invalid;
    }
    if (e instanceof InputError) {
      process.stderr.write(`${name}: ${oneLine(e.message)}\n`);
      return EXIT.invalid;
    }
    // The first line only: a message may carry a stack (runPack's "policy X failed: ...").
    const msg = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0];
    process.stderr.write(`${name}: internal error (exit 3; a bug, not your input): ${msg.trim()}\n`);
    if (process.env.NETPLAT_DEBUG === "1" && e instanceof Error && e.stack)
      process.stderr.write(`${e.stack}\n`);
    return EXIT.internal;
  };
  process.on("uncaughtException", (e) => process.exit(report(e)));
  try {
    const r = main();
    if (typeof r === "number") process.exitCode = r;
    else
      r.then(
        (code) => (process.exitCode = code),
        (e) => (process.exitCode = report(e)),
      );
  } catch (e) {
    process.exitCode = report(e);
  }
}
