import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { analyse } from "../../../policy-pack/reachability";
import {
  diffManifests,
  diffReachability,
  formatDiffJson,
  formatDiffMarkdown,
  formatDiffText,
} from "../../../policy-pack/reachability/diff";
import { parseCidr } from "../../../policy-pack/reachability/ipv4";
import { deploy, netpol, ns } from "./cases";
import { DIFF_CASES } from "./diff-cases";

const ROOT = path.resolve(__dirname, "../../..");
const TS_NODE = path.join(ROOT, "node_modules", "ts-node", "dist", "bin.js");

function lines(before: unknown[], after: unknown[]): string[] {
  return formatDiffText(diffManifests(before, after)).split("\n").filter(Boolean);
}

describe("reachability diff", () => {
  describe("hand-written cases", () => {
    for (const c of DIFF_CASES) {
      it(c.name, () => {
        const out = lines(c.before, c.after);
        assert.deepStrictEqual(out, c.lines.length ? ["Connectivity diff:", ...c.lines] : []);
      });
    }
  });

  it("orders changed, then added, then removed, each sorted like netpol-analyzer", () => {
    const c = DIFF_CASES.find((x) => x.name.startsWith("workload removed"))!;
    const types = lines(c.before, c.after)
      .slice(1)
      .map((l) => /^diff-type: (\w+)/.exec(l)![1]);
    assert.deepStrictEqual(types, ["changed", "removed", "removed", "removed", "removed"]);
  });

  it("is symmetric: after -> before turns added into removed with the sides swapped", () => {
    for (const c of DIFF_CASES) {
      const fwd = diffManifests(c.before, c.after);
      const back = diffManifests(c.after, c.before);
      const key = (d: { src: string; dst: string }) => `${d.src} ${d.dst}`;
      assert.deepStrictEqual(back.map(key).sort(), fwd.map(key).sort(), c.name);
      for (const d of fwd) {
        const b = back.find((x) => key(x) === key(d))!;
        assert.strictEqual(b.before.toString(), d.after.toString(), c.name);
        assert.strictEqual(
          b.type,
          d.type === "added" ? "removed" : d.type === "removed" ? "added" : "changed",
        );
      }
    }
  });

  it("keeps external ranges apart at the given boundaries (intent peers) but merges elsewhere", () => {
    const before = [
      ns("a"),
      deploy("a", "x", { app: "x" }),
      netpol("a", "deny", { podSelector: {}, policyTypes: ["Egress"] }),
    ];
    const after = [ns("a"), deploy("a", "x", { app: "x" })];
    const merged = diffReachability(analyse(before), analyse(after));
    assert.deepStrictEqual(
      merged.map((d) => d.dst),
      ["0.0.0.0-255.255.255.255[External]"],
    );
    const kept = diffReachability(analyse(before), analyse(after), {
      keepBoundaries: [parseCidr("203.0.113.0/24")],
    });
    assert.deepStrictEqual(
      kept.map((d) => d.dst),
      [
        "0.0.0.0-203.0.112.255[External]",
        "203.0.113.0-203.0.113.255[External]",
        "203.0.114.0-255.255.255.255[External]",
      ],
    );
  });

  it("md and json carry the same rows as the text", () => {
    const c = DIFF_CASES.find((x) => x.name.startsWith("widened port"))!;
    const d = diffManifests(c.before, c.after);
    assert.deepStrictEqual(formatDiffMarkdown(d).split("\n"), [
      "| diff-type | source | destination | dir1 | dir2 | workloads-diff-info |",
      "|-----------|--------|-------------|------|------|---------------------|",
      "| changed | shop/frontend[Deployment] | shop/orders[Deployment] | TCP 8080 | TCP 8080-8090 |  |",
      "",
    ]);
    assert.deepStrictEqual(JSON.parse(formatDiffJson(d)), [
      {
        diffType: "changed",
        src: "shop/frontend[Deployment]",
        dst: "shop/orders[Deployment]",
        dir1: "TCP 8080",
        dir2: "TCP 8080-8090",
      },
    ]);
    assert.strictEqual(formatDiffText([]), "");
    assert.strictEqual(formatDiffJson([]), "[]");
  });

  describe("CLI: npm run reachability -- diff", () => {
    let tmp: string;
    const write = (dir: string, objects: unknown[]) => {
      fs.mkdirSync(path.join(tmp, dir), { recursive: true });
      fs.writeFileSync(
        path.join(tmp, dir, "all.json"),
        JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
      );
      return path.join(tmp, dir);
    };
    const cli = (args: string[]) => {
      const r = spawnSync(
        process.execPath,
        [TS_NODE, "--transpile-only", "scripts/reachability.ts", "diff", ...args],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reach-diff-cli-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("exits 1 and prints the diff when connectivity changes; md on request", () => {
      const c = DIFF_CASES.find((x) => x.name.startsWith("added edge"))!;
      const a = write("added-a", c.before);
      const b = write("added-b", c.after);
      const r = cli([a, b]);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.strictEqual(r.stdout, ["Connectivity diff:", ...c.lines].join("\n") + "\n");
      const md = cli([a, b, "--output", "md"]);
      assert.strictEqual(md.code, 1);
      assert.match(
        md.stdout,
        /^\| diff-type \| source \| destination \| dir1 \| dir2 \| workloads-diff-info \|/,
      );
    });

    it("exits 0 with empty output and a note on stderr when nothing changes", () => {
      const a = write("same-a", DIFF_CASES[0].before);
      const r = cli([a, a, "-o", "json"]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(r.stdout, "[]\n");
      assert.match(r.stderr, /no connectivity change/);
    });

    it("takes a comma-separated file set as one side", () => {
      const d = path.join(tmp, "set");
      fs.mkdirSync(d);
      const [n, x, y] = [ns("a"), deploy("a", "x", { app: "x" }), deploy("a", "y", { app: "y" })];
      fs.writeFileSync(path.join(d, "ns.json"), JSON.stringify(n));
      fs.writeFileSync(path.join(d, "x.json"), JSON.stringify(x));
      fs.writeFileSync(path.join(d, "y.json"), JSON.stringify(y));
      const r = cli([`${d}/ns.json,${d}/x.json`, d]);
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stdout, /workloads-diff-info: workload a\/y\[Deployment\] added/);
    });

    it("exits 2 naming the side and file on invalid input, and on bad arguments", () => {
      const good = write("good", DIFF_CASES[0].before);
      const bad = path.join(tmp, "bad.yaml");
      fs.writeFileSync(
        bad,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec: {podSelector: {}, ingress: [{ports: [{endPort: 90}]}]}\n",
      );
      const r = cli([good, bad]);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /after \(.*bad\.yaml\): .*bad\.yaml: .*endPort/);
      const missing = cli([good, path.join(tmp, "nope")]);
      assert.strictEqual(missing.code, 2);
      assert.match(missing.stderr, /after .*nope.*no such file or folder/);
      assert.strictEqual(cli([good]).code, 2);
      const fmt = cli([good, good, "--output", "dot"]);
      assert.strictEqual(fmt.code, 2);
      assert.match(fmt.stderr, /--output must be one of text, json, md, got "dot"/);
    });
  });
});
