/**
 * Faults, on a local cluster with the dev stack: the API server killed in the middle of
 * an `up`; etcd down; a credential the API server refuses. Each must end in a clear
 * error naming the cluster, or in a later `up` that converges, never in a half-applied
 * stack or an orphaned object.
 */
import { strict as assert } from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { clusterPlanObjects, planCluster } from "../../lib/cluster-plan";
import { resolveApp } from "../../lib/intent";
import { loadStackConfig } from "../../lib/stack-file";
import { apiRequest, clusterDir, down, readState, up } from "../../scripts/lib/local-cluster";
import { Workspace, policyPackArgs, prepareWorkspace } from "../../scripts/lib/workspace";
import { forgetDiscovery, getObject, objectRef, refText } from "./api";
import { startFakeCloud } from "./fake-cloud";
import { preparedChartMirror } from "../support/charts";

const STACK = "dev";
const CLUSTER = "lc-faults";
const platform = loadStackConfig(STACK);
const devCluster = platform.clusters[0];

const tail = (r: { stdout: string; stderr: string }) => `${r.stderr.slice(-3000)}\n${r.stdout.slice(-5000)}`;

function workspace(root: string | undefined, kubeconfig: string): Workspace {
  return prepareWorkspace({
    stack: STACK,
    root,
    fixtureCharts: false,
    chartMirror: preparedChartMirror(),
    kubeconfigs: { [devCluster.name]: kubeconfig },
    harness: true,
  });
}

/** Kubernetes objects Pulumi's state holds (custom resources with a name), as kind/namespace/name. */
function stateObjects(ws: Workspace): Set<string> {
  const r = ws.pulumi(["stack", "export", "--stack", STACK]);
  assert.equal(r.code, 0, r.stderr);
  const dep = JSON.parse(r.stdout) as {
    deployment: {
      resources?: Array<{
        type: string;
        custom?: boolean;
        outputs?: { kind?: string; metadata?: { name?: string; namespace?: string } };
      }>;
    };
  };
  const out = new Set<string>();
  for (const res of dep.deployment.resources ?? []) {
    const o = res.outputs;
    if (res.custom && res.type.startsWith("kubernetes:") && o?.kind && o.metadata?.name) {
      out.add(`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`);
    }
  }
  return out;
}

function waitForExit(p: ChildProcess): Promise<number> {
  return new Promise((resolve) => p.once("exit", (code) => resolve(code ?? -1)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("faults on a local cluster (dev stack)", function () {
  let kubeconfig: string;
  let cloud: ChildProcess | undefined;

  before(async function () {
    forgetDiscovery();
    const r = await up({
      name: CLUSTER,
      nodes: 3,
      serviceCidr: devCluster.serviceCidr,
      podCidr: devCluster.podCidr,
    });
    kubeconfig = r.state.kubeconfig;
    cloud = startFakeCloud([CLUSTER]);
  });

  after(async function () {
    cloud?.kill("SIGTERM");
    if (!process.env.KEEP_CLUSTERS) await down(CLUSTER);
  });

  it("a wrong credential in the kubeconfigs secret: an error naming the cluster before any change", function () {
    // The right server and CA, but a client certificate from another CA: the API server answers 401.
    const pki = path.join(clusterDir(CLUSTER), "pki");
    const foreign = fs.mkdtempSync(path.join(path.dirname(kubeconfig), "foreign-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "1",
        "-subj",
        "/O=system:masters/CN=intruder",
      ],
      { cwd: foreign, stdio: "ignore" },
    );
    const wrong = path.join(foreign, "kubeconfig");
    fs.writeFileSync(
      wrong,
      fs
        .readFileSync(kubeconfig, "utf8")
        .replace(
          /client-certificate-data: .*/,
          `client-certificate-data: ${fs.readFileSync(path.join(foreign, "c.pem")).toString("base64")}`,
        )
        .replace(
          /client-key-data: .*/,
          `client-key-data: ${fs.readFileSync(path.join(foreign, "k.pem")).toString("base64")}`,
        ),
    );
    assert.ok(fs.existsSync(path.join(pki, "ca.crt")));
    const ws = workspace(undefined, wrong);
    const r = ws.pulumi(["up", "--yes", "--stack", STACK, ...policyPackArgs(STACK)], 600_000);
    assert.notEqual(r.code, 0, "up must fail");
    assert.match(
      r.stdout + r.stderr,
      /cluster dev: the API server refused the credentials in kubeconfigs\["dev"\] \(wrong or expired\)/,
    );
    assert.deepEqual([...stateObjects(ws)], [], "no Kubernetes object was recorded");
  });

  it("etcd down: an error naming the cluster, nothing applied; etcd back, the cluster serves again", async function () {
    const ws = workspace(undefined, kubeconfig);
    const etcd = readState(CLUSTER)!.pids.etcd!;
    process.kill(etcd, "SIGKILL");
    await sleep(2000);
    const r = ws.pulumi(["up", "--yes", "--stack", STACK, ...policyPackArgs(STACK)], 600_000);
    assert.notEqual(r.code, 0, "up must fail with etcd down");
    assert.match(r.stdout + r.stderr, /cluster dev: the API server is not ready: .*readyz answered HTTP 500/);
    assert.deepEqual([...stateObjects(ws)], [], "no Kubernetes object was recorded");
    // Back up on the same data: the cluster serves again (the next test deploys to it).
    await up({ name: CLUSTER, nodes: 3, serviceCidr: devCluster.serviceCidr, podCidr: devCluster.podCidr });
    const nodes = await apiRequest(CLUSTER, "GET", "/api/v1/nodes");
    assert.equal(nodes.status, 200);
  });

  it("the API server killed in the middle of an up: the next up converges, no orphan, no drift", async function () {
    const ws = workspace(undefined, kubeconfig);
    const first = spawn(
      "pulumi",
      ["up", "--yes", "--non-interactive", "--stack", STACK, ...policyPackArgs(STACK)],
      {
        cwd: ws.dir,
        env: ws.env,
        stdio: "ignore",
      },
    );
    const exited = waitForExit(first);
    // Kill it once the app's first objects are on the server: the up is then half done.
    const deadline = Date.now() + 900_000;
    let killed = false;
    while (Date.now() < deadline) {
      const nps = await apiRequest(
        CLUSTER,
        "GET",
        `/apis/networking.k8s.io/v1/namespaces/${platform.app.namespace}/networkpolicies`,
      ).catch(() => undefined);
      if (nps?.status === 200 && (JSON.parse(nps.body) as { items: unknown[] }).items.length > 0) {
        process.kill(readState(CLUSTER)!.pids["kube-apiserver"]!, "SIGKILL");
        killed = true;
        break;
      }
      if (first.exitCode !== null) break;
      await sleep(200);
    }
    assert.ok(killed, "the up finished before the app's NetworkPolicies appeared; nothing was interrupted");
    // The control plane comes back while the interrupted up is still running, as after a
    // restart; that up may fail or finish, either way the next one must converge.
    await sleep(5000);
    await up({ name: CLUSTER, nodes: 3, serviceCidr: devCluster.serviceCidr, podCidr: devCluster.podCidr });
    await exited;
    const again = ws.pulumi(["up", "--yes", "--stack", STACK, ...policyPackArgs(STACK)], 1_800_000);
    assert.equal(again.code, 0, `the next up did not converge:\n${tail(again)}`);
    const noChanges = ws.pulumi(
      ["up", "--yes", "--stack", STACK, "--expect-no-changes", ...policyPackArgs(STACK)],
      900_000,
    );
    assert.equal(noChanges.code, 0, `a third up still had changes:\n${tail(noChanges)}`);

    // No orphan: every app object on the server is in Pulumi's state, and every planned object exists.
    const state = stateObjects(ws);
    const app = resolveApp(platform.app.spec);
    const planned = clusterPlanObjects(planCluster(platform, app, devCluster.name));
    const missing: string[] = [];
    for (const o of planned) {
      const ref = objectRef(o);
      if ((await getObject(CLUSTER, ref)) === null) missing.push(refText(ref));
    }
    assert.deepEqual(missing, []);
    const orphans: string[] = [];
    for (const ns of new Set(planned.map((o) => o.metadata.namespace).filter((n): n is string => !!n))) {
      for (const [group, kinds] of [
        ["/apis/networking.k8s.io/v1", ["networkpolicies"]],
        ["/apis/apps/v1", ["deployments", "statefulsets"]],
        ["/api/v1", ["services", "configmaps"]],
      ] as const) {
        for (const k of kinds) {
          const r = await apiRequest(CLUSTER, "GET", `${group}/namespaces/${ns}/${k}`);
          const items = (
            JSON.parse(r.body) as {
              kind: string;
              items: Array<{ metadata: { name: string; namespace: string } }>;
            }
          ).items;
          const kind = (JSON.parse(r.body) as { kind: string }).kind.replace(/List$/, "");
          for (const i of items) {
            if (kind === "ConfigMap" && i.metadata.name === "kube-root-ca.crt") continue; // made by the controller manager
            const text = `${kind} ${i.metadata.namespace}/${i.metadata.name}`;
            if (!state.has(text)) orphans.push(text);
          }
        }
      }
    }
    assert.deepEqual(orphans, [], "objects on the server that Pulumi does not track");
  });
});
