/**
 * The program and the policy pack are loaded by the Pulumi runtime through CommonJS
 * shims (index.js, policy-pack/index.js) that replace the runtime's type-checking ts-node
 * loader with a transpile-only one (issue 12: re-checking cost ~20 s and ~12 s on every
 * preview). Held here: after loading each entry point the way the runtime does (ts-node
 * registered with typeCheck first), the active ts-node instance transpiles only, and the
 * entry point's exports are the TypeScript module's.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const REPO = path.resolve(__dirname, "..", "..", "..");

function loadAsRuntime(entry: string, project: string): { transpileOnly: boolean; exports: string } {
  const script = `
    require("ts-node").register({ typeCheck: true, project: ${JSON.stringify(project)} });
    const m = require(${JSON.stringify(entry)});
    const inst = process[Symbol.for("ts-node.register.instance")];
    process.stdout.write("\\n" + JSON.stringify({ transpileOnly: inst.options.transpileOnly === true, exports: typeof m }) + "\\n");
    process.exit(0);`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8", timeout: 600_000 });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

describe("the runtime's entry points transpile only", () => {
  it("Pulumi.yaml's main is the shim, and it loads index.ts transpile-only", () => {
    const project = parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
    assert.strictEqual(project.main, "index.js");
    const r = loadAsRuntime(path.join(REPO, "index.js"), path.join(REPO, "tsconfig.json"));
    assert.deepStrictEqual(r, { transpileOnly: true, exports: "function" });
  }).timeout(600_000);

  it("the pack's main is the shim, and it loads the pack transpile-only", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "policy-pack", "package.json"), "utf8"));
    assert.strictEqual(pkg.main, "index.js");
    const r = loadAsRuntime(path.join(REPO, "policy-pack"), path.join(REPO, "policy-pack", "tsconfig.json"));
    assert.strictEqual(r.transpileOnly, true);
  }).timeout(600_000);
});
