import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError, loadManifests } from "../../../policy-pack/manifests";
import { badCorpus, SECURE } from "./corpus";

const FIXTURES = path.join(SECURE, "..");

describe("manifest loader (policy-pack/manifests)", () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "manifests-"))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const f = path.join(tmp, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };

  it("reads the secure and insecure fixtures (multi-document files, a List, nested folders)", () => {
    const secure = loadManifests([path.join(FIXTURES, "secure")]);
    assert.strictEqual(secure.length, 18);
    const insecure = loadManifests([path.join(FIXTURES, "insecure")]);
    const listed = insecure.filter((l) => l.file.endsWith("services-list.yaml"));
    assert.deepStrictEqual(
      listed.map((l) => [l.doc, l.item, l.manifest.kind]),
      [
        [1, 0, "Service"],
        [1, 1, "Service"],
      ],
    );
  });

  it("reads unquoted YAML 1.1 booleans as booleans, as kubectl does, where a boolean is accepted", () => {
    const f = write(
      "pod.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop, labels: {canary: 'on'}}\n" +
        "spec:\n  automountServiceAccountToken: no\n  hostNetwork: Off\n  containers: [{name: c, image: x}]\n",
    );
    const [pod] = loadManifests([f]);
    const spec = pod.manifest.spec as Record<string, unknown>;
    assert.strictEqual(spec.automountServiceAccountToken, false);
    assert.strictEqual(spec.hostNetwork, false);
    assert.strictEqual(pod.manifest.metadata.labels?.canary, "on");
  });

  it("names the List item of an invalid object", () => {
    const f = write(
      "list.yaml",
      "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n" +
        "- {apiVersion: v1, kind: Namespace, metadata: {name: b, labels: {x: no}}}\n",
    );
    assert.throws(
      () => loadManifests([f]),
      (e: Error) =>
        e instanceof InputError &&
        /list\.yaml: document 1, items\[1\]: Namespace b: metadata\.labels\.x: must be string .*quote it: "no"/.test(
          e.message,
        ),
    );
  });

  it("follows a symbolic link to another folder, and accepts kinds it has no schema for", () => {
    write(
      "real/crd.yaml",
      "apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata: {name: default}\nspec: {anything: 1}\n",
    );
    fs.mkdirSync(path.join(tmp, "top"));
    fs.symlinkSync(path.join(tmp, "real"), path.join(tmp, "top", "linked"));
    const loaded = loadManifests([path.join(tmp, "top")]);
    assert.deepStrictEqual(
      loaded.map((l) => l.manifest.kind),
      ["Installation"],
    );
  });

  it("accepts IPv6 ipBlocks and an except inside the cidr", () => {
    const f = write(
      "np.yaml",
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\n" +
        "spec:\n  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 'fd00::/8', except: ['fd00:1::/32']}\n" +
        "    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n",
    );
    assert.strictEqual(loadManifests([f]).length, 1);
  });

  describe("refuses each case of the bad-input corpus with an InputError naming file, object and field", () => {
    for (const c of badCorpus()) {
      it(`${c.kind}: ${c.name}`, () => {
        const input = c.setup(tmp);
        assert.throws(
          () => loadManifests([input]),
          (e: Error) => {
            assert.ok(e instanceof InputError, `not an InputError: ${e.stack}`);
            assert.match(e.message, c.expect);
            if (c.file) assert.ok(e.message.includes(path.join(tmp, c.file)), e.message);
            assert.ok(!e.message.includes("\n"), "one line");
            return true;
          },
        );
      });
    }
  });
});
