/**
 * The intent compiler is split along what it does (lib/intent/): parsing edges,
 * NetworkPolicies, AuthorizationPolicies, the intent document, the labels other files
 * import. Each module stays small, the label constants load without the compilers,
 * and NetworkPolicy peers have the networking.k8s.io/v1 NetworkPolicyPeer shape.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as intent from "../../../lib/intent";
import { type NetworkPolicyPeer, compileNetworkPolicies } from "../../../lib/intent/network-policies";
import { compileAuthorizationPolicies } from "../../../lib/intent/authorization-policies";
import { intentDocument } from "../../../lib/intent/document";
import { parseEdge, resolveApp } from "../../../lib/intent/edges";
import { K8sObject } from "../../../lib/k8s-object";
import { SHOP_APP } from "../../../lib/shop";

const REPO = path.resolve(__dirname, "..", "..", "..");
const DIR = path.join(REPO, "lib", "intent");
const MODULES = [
  "authorization-policies.ts",
  "cluster-view.ts",
  "contract.ts",
  "document.ts",
  "edges.ts",
  "index.ts",
  "labels.ts",
  "network-policies.ts",
  "options.ts",
];
/** Lines a module of the compiler may grow to before it wants splitting again. */
const MAX_LINES = 300;

const imports = (file: string) =>
  [...fs.readFileSync(path.join(DIR, file), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]);

describe("intent compiler modules (lib/intent/)", () => {
  it("is a folder of small modules, not one lib/intent.ts", () => {
    assert.ok(!fs.existsSync(path.join(REPO, "lib", "intent.ts")), "lib/intent.ts is gone");
    const present = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts"));
    assert.deepEqual(
      MODULES.filter((f) => !present.includes(f)),
      [],
      "every module of the split exists",
    );
    for (const f of present) {
      const lines = fs.readFileSync(path.join(DIR, f), "utf8").split("\n").length;
      assert.ok(lines <= MAX_LINES, `lib/intent/${f} has ${lines} lines (at most ${MAX_LINES})`);
    }
  });

  it("lets the label constants load without the compilers", () => {
    assert.deepEqual(imports("labels.ts"), ["../k8s-object"]);
    const workload = fs.readFileSync(path.join(REPO, "lib", "workload.ts"), "utf8");
    assert.match(workload, /from "\.\/intent\/labels"/);
  });

  it("keeps parsing edges free of the compilers", () => {
    assert.deepEqual(
      imports("edges.ts").filter((i) => i.startsWith("./")),
      ["./contract"],
    );
    assert.deepEqual(parseEdge("events -> events:9093/udp"), {
      from: "events",
      to: "events",
      port: 9093,
      protocol: "UDP",
    });
  });

  it("re-exports every compiler entry point from lib/intent", () => {
    assert.equal(intent.compileNetworkPolicies, compileNetworkPolicies);
    assert.equal(intent.compileAuthorizationPolicies, compileAuthorizationPolicies);
    assert.equal(intent.intentDocument, intentDocument);
    assert.equal(intent.resolveApp, resolveApp);
  });

  it("compiles NetworkPolicy peers of the NetworkPolicyPeer shape: pods in a namespace, or an ipBlock", () => {
    const app = resolveApp(SHOP_APP);
    const ingress = { namespace: "ingress-nginx", podLabels: { app: "nginx" }, serviceAccount: "ingress" };
    const view = {
      cluster: "east",
      local: new Set(["frontend", "orders"]),
      remoteServiceCidrs: () => ["10.20.0.0/16"],
      remoteClientCidrs: () => ["10.30.0.0/16"],
    };
    const policies: K8sObject[] = compileNetworkPolicies(app, { ingress }, view);
    type Rule = { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[] };
    const peers = policies.flatMap((p) => {
      const spec = p.spec as { ingress?: Rule[]; egress?: Rule[] };
      return [...(spec.ingress ?? []), ...(spec.egress ?? [])].flatMap((r) => [
        ...(r.from ?? []),
        ...(r.to ?? []),
      ]);
    });
    assert.ok(peers.some((p) => p.ipBlock) && peers.some((p) => p.podSelector), "both kinds were compiled");
    for (const p of peers) {
      const keys = Object.keys(p).sort();
      if (p.ipBlock) {
        assert.deepEqual(keys, ["ipBlock"]);
        assert.match(p.ipBlock.cidr, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
      } else {
        // Both selectors in one entry: these pods AND in this namespace, never either alone.
        assert.deepEqual(keys, ["namespaceSelector", "podSelector"]);
        assert.equal(Object.keys(p.namespaceSelector?.matchLabels ?? {}).length, 1);
        assert.ok(Object.keys(p.podSelector?.matchLabels ?? {}).length > 0, "a pod selector names labels");
      }
    }
  });
});
