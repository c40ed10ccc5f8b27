/**
 * The module graph, as madge reads it: no import cycle anywhere in the program, the
 * policy pack or the scripts, and the program (lib/, components/) depends neither on
 * the policy pack nor on test code, so the pack can be published on its own and a
 * user-run script never lives on tests. `npm run --silent deps:check` runs the same
 * cycle check from the command line.
 */
import { strict as assert } from "assert";
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
const ROOTS = ["lib", "components", "policy-pack", "scripts", "index.ts"];

/**
 * Imports from the program into the pack or tests that are known and allowed, each with
 * its reason. Anything else under lib/ or components/ importing policy-pack/ or test/ fails.
 */
const ALLOWED: ReadonlyArray<{ from: string; to: string; reason: string }> = [
  {
    from: "lib/intent/contract.ts",
    to: "policy-pack/reachability/intent-document.ts",
    reason:
      "the intent contract (document type, constants, parseIntentDocument) still lives in the pack; " +
      "it is to move to a module both import (issue 11)",
  },
];

let graph: Promise<MadgeResult> | undefined;
const analysed = () =>
  (graph ??= madge(
    ROOTS.map((r) => path.join(REPO, r)),
    { baseDir: REPO, fileExtensions: ["ts"], excludeRegExp: [/node_modules/] },
  ));

describe("module structure (madge)", function () {
  this.timeout(120000);

  it("has no import cycle in lib, components, policy-pack, scripts and index.ts", async () => {
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

  it("keeps scripts/ free of imports from test/", async () => {
    const deps = (await analysed()).obj();
    const offending = Object.keys(deps)
      .filter((f) => f.startsWith("scripts/"))
      .flatMap((from) => deps[from].filter((to) => to.startsWith("test/")).map((to) => `${from} -> ${to}`));
    assert.deepEqual(offending, []);
  });
});
