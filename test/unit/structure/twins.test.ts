/**
 * No twins: every exported type, interface, class or enum name is declared in one file
 * of the program, the policy pack, the shared packages and the scripts. Two declarations
 * of one name (ClusterView, ExternalPeer, IntentFinding, ObjectMeta/LabelSelector,
 * Protocol vs L4Protocol had them) drift apart and leave a reader guessing which is meant.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..", "..");
const DECLARATION =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:interface|type|class|enum)\s+([A-Za-z_$][\w$]*)/gm;

describe("module structure: one declaration per exported type name", () => {
  it("declares each exported type, interface, class and enum name once", () => {
    const files = execFileSync(
      "git",
      [
        "ls-files",
        "-z",
        "--",
        "lib/*.ts",
        "components/*.ts",
        "policy-pack/*.ts",
        "packages/*.ts",
        "scripts/*.ts",
        "index.ts",
      ],
      { cwd: REPO, encoding: "utf8" },
    )
      .split("\0")
      .filter((f) => f && fs.existsSync(path.join(REPO, f)));
    assert.ok(files.includes("packages/contract/intent-document.ts"), "read the shared package");
    const where = new Map<string, string[]>();
    for (const f of files) {
      for (const m of fs.readFileSync(path.join(REPO, f), "utf8").matchAll(DECLARATION)) {
        where.set(m[1], [...(where.get(m[1]) ?? []), f]);
      }
    }
    assert.ok(where.has("IntentDocument") && where.has("K8sObject"), "found the declarations");
    const twins = [...where].filter(([, fs]) => fs.length > 1).map(([n, fs]) => `${n}: ${fs.join(", ")}`);
    assert.deepEqual(twins, []);
  });
});

describe("module structure: names a newcomer can tell apart", () => {
  it("has one module per role for Kubernetes objects and for the app, none of them a bare k8s.ts or shop.ts", () => {
    const roles = [
      "lib/k8s-object.ts", // the plain objects the planning code produces
      "components/create-object.ts", // turns them into Pulumi resources
      "policy-pack/lib/resource-manifest.ts", // the manifest a Pulumi resource carries, as rules read it
      "lib/app-spec.ts", // the shape of an app
      "lib/default-app.ts", // the app a stack hosts unless its config overrides it
      "lib/shop-app-plan.ts", // per cluster, what the ShopApp component creates
      "components/shop-app.ts", // the ShopApp component
    ];
    for (const f of roles) assert.ok(fs.existsSync(path.join(REPO, f)), `${f} exists`);
    const files = execFileSync("git", ["ls-files", "-z", "--", "*.ts"], { cwd: REPO, encoding: "utf8" })
      .split("\0")
      .filter((f) => f && fs.existsSync(path.join(REPO, f)));
    const ambiguous = files.filter((f) => /(^|\/)(k8s|shop|shop-plan)\.ts$/.test(f));
    assert.deepEqual(ambiguous, []);
  });
});
