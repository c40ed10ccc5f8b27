/**
 * The exit-code contract every command of this repository keeps (README.md, "Exit
 * codes"), and the wrapper that enforces it: a message on one line, never a stack trace.
 *
 *   0  clean
 *   1  the finding the command exists for (a mandatory violation, an invalid config, ...)
 *   2  invalid input or arguments (the message names the file, object and field)
 *   3  internal error: a bug in the command, not in the input
 */
import { parseArgs } from "util";
// errors.ts alone, not the loader: every CLI imports this module, and the loader's schemas take a second to load.
import { InputError } from "../../policy-pack/manifests/errors";

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

/** One flag of a command, `--<name>` (the key of its entry in the spec). */
export interface Flag {
  /** The value's placeholder in messages, e.g. `<dir>`; a flag without one is a switch. */
  value?: string;
  /** A second value, for a flag taking two (`--explain <src> <dst>`); needs `value`. */
  value2?: string;
  /** A one-letter alias, `-<short>`. */
  short?: string;
  /** May be given more than once; its values are collected in order. Otherwise a repeat is refused. */
  repeatable?: boolean;
}

export type FlagSpec = Readonly<Record<string, Flag>>;

type FlagValue<F extends Flag> = F extends { value: string }
  ? F extends { value2: string }
    ? [string, string]
    : F extends { repeatable: true }
      ? string[]
      : string
  : true;

export interface ParsedArgv<S extends FlagSpec> {
  /** The flags given, by name (without `--`); a switch is `true`. */
  flags: { -readonly [K in keyof S]?: FlagValue<S[K]> };
  /** The arguments that are not flags, in order (everything after a lone `--` included). */
  positionals: string[];
  /** `-h` or `--help` was given (anywhere): nothing else was checked. */
  help: boolean;
}

export interface ArgvOptions {
  /** What positional arguments mean, e.g. `<file or folder>...`; without it none is accepted. */
  positionals?: string;
}

const HELP_FLAGS = new Set(["-h", "--help"]);

/** `--stack <name>, --quick, -o/--output <fmt>, -h/--help`: what a command accepts. */
export function acceptedFlags(spec: FlagSpec, opts: ArgvOptions = {}): string {
  const flags = Object.entries(spec).map(([name, f]) =>
    [`${f.short ? `-${f.short}/` : ""}--${name}`, f.value, f.value2].filter(Boolean).join(" "),
  );
  return [...(opts.positionals ? [opts.positionals] : []), ...flags, "-h/--help"].join(", ");
}

/**
 * The one reader of command-line arguments every CLI of scripts/ uses (node's
 * util.parseArgs tokenises: `--flag value`, `--flag=value`, `-f value`, `--` ends the
 * flags). Refused with a UsageError naming the argument and what is accepted: an
 * unknown flag, a flag without its value (a missing one, an empty one, or the next flag
 * in its place; `-` is a value, standard input), a value given to a switch, a flag
 * given twice that is not `repeatable`, and positional arguments where the command
 * takes none.
 */
export function parseArgv<const S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  opts: ArgvOptions = {},
): ParsedArgv<S> {
  const flags: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const positionals: string[] = [];
  const accepted = () => `(accepted: ${acceptedFlags(spec, opts)})`;
  const terminator = argv.indexOf("--");
  const options = argv.slice(0, terminator < 0 ? argv.length : terminator);
  if (options.some((a) => HELP_FLAGS.has(a)))
    return { flags: {} as ParsedArgv<S>["flags"], positionals, help: true };

  const byShort = new Map(Object.entries(spec).flatMap(([n, f]) => (f.short ? [[f.short, n] as const] : [])));
  const { tokens } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: Object.fromEntries(
      Object.entries(spec).map(([n, f]) => [
        n,
        {
          type: f.value ? ("string" as const) : ("boolean" as const),
          ...(f.short ? { short: f.short } : {}),
        },
      ]),
    ),
  });
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok.kind === "option-terminator") continue;
    if (tok.kind === "positional") {
      if (!opts.positionals) throw new UsageError(`unexpected argument ${tok.value} ${accepted()}`);
      positionals.push(tok.value);
      continue;
    }
    const name = tok.rawName.startsWith("--") ? tok.name : byShort.get(tok.rawName.slice(1));
    const flag = name !== undefined && Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (name === undefined || flag === undefined)
      throw new UsageError(`unknown option ${tok.rawName} ${accepted()}`);
    const usage = [tok.rawName, flag.value, flag.value2].filter(Boolean).join(" ");
    let value: string | [string, string] | true = true;
    if (flag.value) {
      const v = tok.value;
      // A separate value that looks like a flag is the next flag: the value was left out.
      if (v === undefined || v === "" || (!tok.inlineValue && v !== "-" && v.startsWith("-")))
        throw new UsageError(`${tok.rawName} needs a value: ${usage}`);
      value = v;
      if (flag.value2) {
        const next = tokens[t + 1];
        if (next?.kind !== "positional" || next.value === "")
          throw new UsageError(`${tok.rawName} needs two values: ${usage}`);
        value = [v, next.value];
        t++;
      }
    } else if (tok.value !== undefined) {
      throw new UsageError(`${tok.rawName} takes no value (got ${tok.rawName}=${tok.value})`);
    }
    if (name in flags && !flag.repeatable)
      throw new UsageError(`${tok.rawName} given more than once: ${usage} is accepted once`);
    flags[name] =
      flag.repeatable && typeof value === "string" ? [...((flags[name] as string[]) ?? []), value] : value;
  }
  return { flags: { ...flags } as ParsedArgv<S>["flags"], positionals, help: false };
}

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
