/**
 * The module graph, as madge reads it: no import cycle anywhere in the program, the
 * policy pack or the scripts, and the program (lib/, components/) depends neither on
 * the policy pack nor on test code, so the pack can be published on its own and a
 * user-run script never lives on tests. `npm run --silent deps:check` runs the same
 * cycle check from the command line.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

interface MadgeResult {
  /** Each module (path relative to baseDir, with extension) and the modules it imports. */
  obj(): Record<string, string[]>;
  circular(): string[][];
}
// madge ships no type declarations; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge = require("madge") as (paths: string[], config: object) => Promise<MadgeResult>;

const REPO = path.resolve(__dirname, "..", "..", "..");
const ROOTS = ["lib", "components", "policy-pack", "scripts", "index.ts", "packages"];

/**
 * Imports from the program into the pack or tests that are known and allowed, each with
 * its reason. Anything else under lib/ or components/ importing policy-pack/ or test/ fails.
 * Empty since the intent contract moved to packages/contract (issue 11); kept so an
 * exception, if one is ever needed, is written down with its reason.
 */
const ALLOWED: ReadonlyArray<{ from: string; to: string; reason: string }> = [];

/** Folders holding the shared packages both the program and the pack depend on. */
const PACKAGES = "packages/";

let graph: Promise<MadgeResult> | undefined;
const analysed = () =>
  (graph ??= madge(
    ROOTS.map((r) => path.join(REPO, r)),
    { baseDir: REPO, fileExtensions: ["ts"], excludeRegExp: [/node_modules/] },
  ));

describe("module structure (madge)", function () {
  this.timeout(120000);

  it("has no import cycle in lib, components, policy-pack, scripts, packages and index.ts", async () => {
    assert.deepEqual((await analysed()).circular(), []);
  });

  it("keeps lib/ and components/ free of imports from policy-pack/ and test/, but for the listed exceptions", async () => {
    const deps = (await analysed()).obj();
    const program = Object.keys(deps).filter((f) => f.startsWith("lib/") || f.startsWith("components/"));
    assert.ok(
      program.includes("lib/config.ts") && program.includes("components/stack.ts"),
      "madge read the program",
    );
    const offending = program.flatMap((from) =>
      deps[from]
        .filter((to) => to.startsWith("policy-pack/") || to.startsWith("test/"))
        .filter((to) => !ALLOWED.some((a) => a.from === from && a.to === to))
        .map((to) => `${from} -> ${to}`),
    );
    assert.deepEqual(offending, []);
  });

  it("lists only exceptions that still exist, so a fixed one is removed from the list", async () => {
    const deps = (await analysed()).obj();
    for (const a of ALLOWED)
      assert.ok(deps[a.from]?.includes(a.to), `${a.from} no longer imports ${a.to}; drop it from ALLOWED`);
  });

  it("keeps policy-pack/ self-contained: it imports only itself and the shared packages", async () => {
    const deps = (await analysed()).obj();
    const pack = Object.keys(deps).filter((f) => f.startsWith("policy-pack/"));
    assert.ok(pack.includes("policy-pack/rules/reachability-matches-intent.ts"), "madge read the pack");
    const offending = pack.flatMap((from) =>
      deps[from]
        .filter((to) => !to.startsWith("policy-pack/") && !to.startsWith(PACKAGES))
        .map((to) => `${from} -> ${to}`),
    );
    assert.deepEqual(offending, []);
  });

  it("has the program and the pack share the intent contract through packages/contract", async () => {
    const deps = (await analysed()).obj();
    for (const user of ["lib/intent/document.ts", "policy-pack/reachability/check-intent.ts"]) {
      assert.ok(deps[user]?.includes("packages/contract/index.ts"), `${user} imports packages/contract`);
    }
    const contract = Object.keys(deps).filter((f) => f.startsWith("packages/contract/"));
    assert.ok(contract.includes("packages/contract/intent-document.ts"), "madge read the contract");
    const outside = contract.flatMap((from) =>
      deps[from].filter((to) => !to.startsWith("packages/contract/")).map((to) => `${from} -> ${to}`),
    );
    assert.deepEqual(outside, [], "the contract depends on nothing of the program or the pack");
  });

  it("imports the shared packages by package name, never by a relative path into packages/", () => {
    const files = execFileSync("git", ["ls-files", "-z", "--", "*.ts"], { cwd: REPO, encoding: "utf8" })
      .split("\0")
      .filter((f) => f && !f.startsWith(PACKAGES));
    const offending = files.filter((f) =>
      /from\s+"(\.\.?\/)+(\.\.\/)*packages\//.test(fs.readFileSync(path.join(REPO, f), "utf8")),
    );
    assert.deepEqual(offending, []);
  });

  it("declares the shared contract package in both package.json files", () => {
    const deps = (file: string) =>
      (JSON.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as { dependencies: Record<string, string> })
        .dependencies;
    assert.equal(deps("package.json")["@k8s-netplat/contract"], "file:packages/contract");
    assert.equal(deps("policy-pack/package.json")["@k8s-netplat/contract"], "file:../packages/contract");
  });

  it("keeps scripts/ free of imports from test/", async () => {
    const deps = (await analysed()).obj();
    const offending = Object.keys(deps)
      .filter((f) => f.startsWith("scripts/"))
      .flatMap((from) => deps[from].filter((to) => to.startsWith("test/")).map((to) => `${from} -> ${to}`));
    assert.deepEqual(offending, []);
  });
});
