/**
 * The one argv reader of scripts/ (scripts/lib/cli.ts `parseArgv`): what it accepts, and
 * that every bad argument is a UsageError naming the argument and what is accepted.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { acceptedFlags, parseArgv, UsageError } from "../../../scripts/lib/cli";
import { parseBenchArgs } from "../../../scripts/bench-engine";

const REPO = path.resolve(__dirname, "..", "..", "..");

/** The TypeScript CLIs package.json runs (`ts-node --transpile-only scripts/<name>.ts`). */
function cliScripts(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const files = Object.values(pkg.scripts).flatMap((c) =>
    [...c.matchAll(/ts-node \S+ (scripts\/[\w-]+\.ts)/g)].map((m) => m[1]),
  );
  return [...new Set(files)].sort();
}

function runCli(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], {
      cwd: REPO,
      timeout: 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const SPEC = {
  stack: { value: "<name>" },
  output: { value: "<fmt>", short: "o" },
  quick: {},
  tag: { value: "<tag>", repeatable: true },
  explain: { value: "<src>", value2: "<dst>" },
} as const;

/** The UsageError's message for argv, or a failure if it is accepted or fails otherwise. */
function refused(argv: string[], opts = {}): string {
  try {
    parseArgv(argv, SPEC, opts);
  } catch (e) {
    assert.ok(e instanceof UsageError, `not a UsageError: ${String(e)}`);
    return e.message;
  }
  assert.fail(`accepted: ${argv.join(" ")}`);
}

describe("scripts/lib/cli.ts parseArgv: the one argv reader", () => {
  it("reads `--flag value`, `--flag=value`, a short alias, switches and positionals", () => {
    const r = parseArgv(["--stack", "dev", "-o", "json", "--quick", "a.yaml", "b/"], SPEC, {
      positionals: "<file>...",
    });
    assert.deepEqual(r, {
      flags: { stack: "dev", output: "json", quick: true },
      positionals: ["a.yaml", "b/"],
      help: false,
    });
    assert.deepEqual(parseArgv(["--stack=prod", "--output=text"], SPEC).flags, {
      stack: "prod",
      output: "text",
    });
  });

  it("takes `-` (standard input) as a value, and everything after `--` as positional", () => {
    const r = parseArgv(["--stack", "-", "--", "--quick", "-x"], SPEC, { positionals: "<file>..." });
    assert.deepEqual(r.flags, { stack: "-" });
    assert.deepEqual(r.positionals, ["--quick", "-x"]);
  });

  it("an unknown flag is refused, naming it and every accepted flag", () => {
    const m = refused(["--stack", "dev", "--frobnicate"]);
    assert.match(m, /^unknown option --frobnicate \(accepted: /);
    for (const f of [
      "--stack <name>",
      "-o/--output <fmt>",
      "--quick",
      "--tag <tag>",
      "--explain <src> <dst>",
      "-h/--help",
    ])
      assert.ok(m.includes(f), `${f} missing from: ${m}`);
    assert.match(refused(["-x"]), /^unknown option -x \(accepted: /);
    // Not a flag because an Object has a property of that name.
    assert.match(refused(["--constructor"]), /^unknown option --constructor /);
  });

  it("a flag without its value is refused, naming the flag and its value", () => {
    for (const argv of [["--stack"], ["--stack", ""], ["--stack="], ["--stack", "--quick"], ["-o"]]) {
      const m = refused(argv);
      assert.match(
        m,
        new RegExp(`^${argv[0].split("=")[0]} needs a value: ${argv[0].split("=")[0]} <(name|fmt)>$`),
        m,
      );
    }
    assert.equal(refused(["--explain", "a"]), "--explain needs two values: --explain <src> <dst>");
    assert.equal(refused(["--explain", "a", "--quick"]), "--explain needs two values: --explain <src> <dst>");
  });

  it("a flag given twice is refused unless it is repeatable, whose values are kept in order", () => {
    assert.equal(
      refused(["--stack", "dev", "--stack=prod"]),
      "--stack given more than once: --stack <name> is accepted once",
    );
    assert.match(refused(["--quick", "--quick"]), /^--quick given more than once/);
    assert.match(refused(["-o", "json", "--output", "text"]), /given more than once/);
    assert.deepEqual(parseArgv(["--tag", "a", "--tag=b"], SPEC).flags, { tag: ["a", "b"] });
  });

  it("a switch given a value, and positionals where none is taken, are refused", () => {
    assert.equal(refused(["--quick=yes"]), "--quick takes no value (got --quick=yes)");
    assert.match(
      refused(["--stack", "dev", "extra"]),
      /^unexpected argument extra \(accepted: --stack <name>/,
    );
  });

  it("two-valued flags take both", () => {
    assert.deepEqual(parseArgv(["--explain", "shop/a", "shop/b"], SPEC).flags, {
      explain: ["shop/a", "shop/b"],
    });
  });

  it("-h/--help anywhere before `--` wins over everything else, even bad arguments", () => {
    assert.equal(parseArgv(["--frobnicate", "-h"], SPEC).help, true);
    assert.equal(parseArgv(["--stack", "dev", "--help"], SPEC).help, true);
    assert.match(refused(["--", "--help"]), /^unexpected argument --help/);
  });

  it("acceptedFlags lists the positionals first", () => {
    assert.equal(
      acceptedFlags({ out: { value: "<dir>" } }, { positionals: "<file>..." }),
      "<file>..., --out <dir>, -h/--help",
    );
  });

  it("bench:engine's reader keeps its documented flags (--sizes, --quick, --keep, --profile)", () => {
    assert.deepEqual(parseBenchArgs([]), { sizes: [4, 100, 1000], keep: false, profile: undefined });
    assert.deepEqual(parseBenchArgs(["--quick", "--keep"]), { sizes: [4], keep: true, profile: undefined });
    assert.deepEqual(parseBenchArgs(["--sizes", "4,100", "--quick"]), {
      sizes: [4, 100],
      keep: false,
      profile: undefined,
    });
    assert.equal(parseBenchArgs(["--help"]), "help");
    assert.throws(() => parseBenchArgs(["--sizes"]), /^Error: --sizes needs a value: --sizes N,N,\.\.\.$/);
    assert.throws(
      () => parseBenchArgs(["--size", "4"]),
      /unknown option --size \(accepted: --sizes N,N,\.\.\., --quick/,
    );
  });
});

describe("every CLI of scripts/ reads its arguments through parseArgv", function () {
  this.timeout(600_000);
  const scripts = cliScripts();

  it("package.json runs the CLIs this suite knows", () => {
    assert.ok(scripts.length >= 11, scripts.join(", "));
    for (const s of [
      "scripts/render.ts",
      "scripts/cluster.ts",
      "scripts/bench.ts",
      "scripts/charts-mirror.ts",
    ])
      assert.ok(scripts.includes(s), `${s} not in ${scripts.join(", ")}`);
  });

  it("each imports parseArgv and walks no argv of its own", () => {
    const offending = scripts.flatMap((s) => {
      const src = fs.readFileSync(path.join(REPO, s), "utf8");
      const own = [
        /argv\[\+\+i\]/,
        /argv\[i \+ 1\]/,
        /process\.argv\.(indexOf|includes)\(/,
        /needs a value/,
      ].filter((re) => re.test(src));
      return [
        ...(/import \{[^}]*\bparseArgv\b[^}]*\} from "\.\/lib\/cli"/.test(src)
          ? []
          : [`${s}: does not import parseArgv`]),
        ...own.map((re) => `${s}: reads argv itself (${re})`),
      ];
    });
    assert.deepEqual(offending, []);
  });

  // The benchmarks start real work when they accept their arguments; their readers are
  // checked above (imports) and through parseBenchArgs, not by running them.
  const HEAVY = new Set(["scripts/bench.ts", "scripts/bench-engine.ts", "scripts/bench-reachability.ts"]);
  it("each refuses an unknown flag with exit 2, naming it and what is accepted (child processes)", async () => {
    const results: string[] = [];
    const light = scripts.filter((s) => !HEAVY.has(s));
    for (let i = 0; i < light.length; i += 2) {
      const batch = await Promise.all(
        light.slice(i, i + 2).map((s) => runCli(s, ["--no-such-flag"]).then((r) => ({ s, r }))),
      );
      for (const { s, r } of batch) {
        const ok =
          r.code === 2 &&
          r.stderr.includes("unknown option --no-such-flag (accepted: ") &&
          r.stderr.includes("-h/--help)");
        if (!ok) results.push(`${s}: exit ${r.code}, stderr: ${r.stderr.slice(0, 300)}`);
      }
    }
    assert.deepEqual(results, []);
  });
});
