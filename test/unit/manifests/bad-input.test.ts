import * as assert from "assert";
import { spawn, spawnSync, type SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { badCorpus, SECURE } from "./corpus";

const ROOT = path.join(__dirname, "..", "..", "..");
const TS_NODE = path.join(ROOT, "node_modules", "ts-node", "dist", "bin.js");

/** Every CLI that reads manifests, by its npm script name. */
const MANIFEST_CLIS = [
  { name: "policy:check", script: "scripts/policy-check.ts" },
  { name: "reachability", script: "scripts/reachability.ts" },
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runAsync(script: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TS_NODE, "--transpile-only", script, ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the jobs `parallel` at a time (each child process is mostly compile-and-load time). */
async function pool<T>(jobs: (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  return out;
}

function run(script: string, args: string[], opts: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [TS_NODE, "--transpile-only", script, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120000,
    ...opts,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Exit 2, nothing on stdout, and exactly one line on stderr: `<cli>: <reason>`, no stack trace. */
function assertRefused(cli: string, r: Run, expect: RegExp, names?: string): void {
  const got = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.strictEqual(r.code, 2, got);
  assert.strictEqual(r.stdout, "", got);
  assert.match(r.stderr, new RegExp(`^${cli}: [^\\n]+\\n$`), got);
  assert.match(r.stderr, expect, got);
  assert.doesNotMatch(r.stderr, /\n\s+at /, got);
  if (names) assert.ok(r.stderr.includes(names), `does not name ${names}: ${got}`);
}

describe("bad input: every manifest CLI refuses it with exit 2 and a one-line reason (child processes)", function () {
  this.timeout(600000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bad-input-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // Every case through every CLI, run a few at a time up front; each case then checks its runs.
  const corpus = badCorpus();
  const runs: { dir: string; results: Run[] }[] = [];
  let corpusDir: string;
  before(async () => {
    corpusDir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-corpus-"));
    const inputs = corpus.map((c, i) => {
      const dir = path.join(corpusDir, String(i));
      fs.mkdirSync(dir);
      return { c, dir, input: c.setup(dir) };
    });
    const jobs = inputs.flatMap(({ input }) =>
      MANIFEST_CLIS.map((cli) => () => runAsync(cli.script, [input])),
    );
    const results = await pool(jobs, Math.max(2, os.availableParallelism()));
    inputs.forEach(({ dir }, i) =>
      runs.push({
        dir,
        results: results.slice(i * MANIFEST_CLIS.length, (i + 1) * MANIFEST_CLIS.length),
      }),
    );
  });
  after(() => fs.rmSync(corpusDir, { recursive: true, force: true }));

  corpus.forEach((c, n) => {
    it(`${c.kind}: ${c.name}`, () => {
      const { dir, results } = runs[n];
      MANIFEST_CLIS.forEach((cli, i) =>
        assertRefused(cli.name, results[i], c.expect, c.file && path.join(dir, c.file)),
      );
    });
  });

  it("hostile file: an unreadable file (EACCES)", () => {
    // As root, permissions do not stop reads: run the CLIs as nobody, on a file only root can read.
    const asRoot = process.getuid?.() === 0;
    fs.chmodSync(tmp, 0o755);
    const f = path.join(tmp, "secret.yaml");
    fs.copyFileSync(path.join(SECURE, "shop.yaml"), f);
    fs.chmodSync(f, 0o000);
    const opts: SpawnSyncOptions = asRoot
      ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: tmp } }
      : {};
    for (const cli of MANIFEST_CLIS) {
      assertRefused(cli.name, run(cli.script, [f], opts), /cannot read \(EACCES\)/, f);
    }
  });

  it("no arguments at all: exit 2 with the usage", () => {
    for (const cli of MANIFEST_CLIS) {
      const r = run(cli.script, []);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /^(policy:check|reachability): no (input )?files or folders/);
      assert.match(r.stderr, /usage: /);
    }
  });
});

describe("exit-code contract (README.md, Exit codes)", function () {
  this.timeout(600000);

  it("the valid fixtures: policy:check 0 on secure, 1 on insecure; reachability 0 on both", () => {
    const secure = path.join(SECURE);
    const insecure = path.join(SECURE, "..", "insecure");
    assert.strictEqual(run("scripts/policy-check.ts", [secure]).code, 0);
    assert.strictEqual(run("scripts/policy-check.ts", [insecure]).code, 1);
    const reach = run("scripts/reachability.ts", [secure]);
    assert.strictEqual(reach.code, 0, reach.stderr);
    assert.match(reach.stdout, /shop\/frontend\[Deployment\] => shop\/orders\[Deployment\] : TCP 8080/);
    assert.strictEqual(run("scripts/reachability.ts", [insecure]).code, 0);
  });

  it("every command's --help states the limits and the exit codes", () => {
    for (const script of [
      "scripts/policy-check.ts",
      "scripts/reachability.ts",
      "scripts/config-check.ts",
      "scripts/preview-summary.ts",
    ]) {
      const r = run(script, ["--help"]);
      assert.strictEqual(r.code, 0, `${script}: ${r.stderr}`);
      assert.match(
        r.stdout,
        /0 clean; 1 .+; 2 invalid input or arguments; 3 internal error/,
        `${script}: ${r.stdout}`,
      );
      if (script.includes("policy-check") || script.includes("reachability")) {
        assert.match(r.stdout, /Limits: files up to 16 MiB/, script);
      }
    }
  });

  for (const failure of ["throws", "rejects"] as const) {
    it(`an unexpected error inside a command ${failure}: exit 3, one line, no stack trace`, () => {
      const body =
        failure === "throws"
          ? "() => { throw new TypeError('boom'); }"
          : "async () => { await null; throw new RangeError('boom'); }";
      const r = spawnSync(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          "-e",
          `require("./scripts/lib/cli").runMain("demo", "usage: demo", ${body});`,
        ],
        { cwd: ROOT, encoding: "utf8", timeout: 120000 },
      );
      assert.strictEqual(r.status, 3, r.stderr);
      assert.match(
        r.stderr,
        /^demo: internal error \(exit 3; a bug, not your input\): (Type|Range)Error: boom\n$/,
      );
    });
  }
});
