/**
 * The local control plane runs the binaries scripts/cluster-toolchain.sh builds, never a
 * same-named program elsewhere on PATH (Debian's etcd 3.4 left kwok minutes behind).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BIN, COMPONENTS, binaryPath } from "../../../scripts/lib/local-cluster";

describe("local cluster binaries", () => {
  it("takes every component, etcd included, from the cluster toolchain, not from PATH", function () {
    if (!COMPONENTS.every((c) => fs.existsSync(path.join(BIN, c)))) {
      // Without the build there is nothing to resolve; binaryPath must then refuse (below).
      for (const c of COMPONENTS.filter((x) => !fs.existsSync(path.join(BIN, x)))) {
        assert.throws(() => binaryPath(c), /cluster-toolchain\.sh/);
      }
      return;
    }
    const decoy = fs.mkdtempSync(path.join(os.tmpdir(), "decoy-bin-"));
    const saved = process.env.PATH;
    try {
      for (const c of COMPONENTS) fs.writeFileSync(path.join(decoy, c), "#!/bin/sh\n", { mode: 0o755 });
      process.env.PATH = `${decoy}:${saved}`;
      for (const c of COMPONENTS) assert.equal(binaryPath(c), path.join(BIN, c), c);
    } finally {
      process.env.PATH = saved;
      fs.rmSync(decoy, { recursive: true, force: true });
    }
  });
});
