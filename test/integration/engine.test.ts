/**
 * The real engine, offline: the Pulumi CLI, the Node.js language host and the
 * Kubernetes provider built by scripts/toolchain.sh, the policy pack enforced, no
 * cluster and no chart repository. Previews run in render mode (the provider builds
 * Helm charts without a cluster only there) with fixture charts standing in for the
 * add-ons: what is real is the program, the engine, the provider's handling of every
 * object and the policy pack; what is not is the content of the add-on charts.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { clusterPlanObjects, planCluster } from "../../lib/cluster-plan";
import { parsePlatformConfig } from "../../lib/config";
import { resolveApp } from "../../lib/intent";
import { STACK_NAMES, readRawPlatformConfig, stackFile } from "../../lib/stack-file";
import { SHOP_APP } from "../../lib/default-app";
import { RENDER_PLACEHOLDER } from "../../lib/render-secrets";
import {
  REPO,
  Workspace,
  offlineWorkspace,
  policyPackArgs,
  prepareWorkspace,
  type PlatformPatch,
} from "../../scripts/lib/workspace";

interface PreviewJson {
  steps: Array<{ op: string; urn: string; newState?: { type: string; inputs?: Record<string, unknown> } }>;
  changeSummary?: Record<string, number>;
}

interface CreatedObject {
  at: string;
  spec: Record<string, unknown>;
}

/** What the engine would create of one type: each object's `namespace/name` and spec. */
function createdInputs(json: PreviewJson, type: string): CreatedObject[] {
  return json.steps
    .filter((s) => s.op === "create" && (s.newState?.type ?? s.urn.split("::")[2]) === type)
    .map((s) => {
      const o = (s.newState?.inputs ?? {}) as {
        metadata?: { namespace?: string; name?: string };
        spec?: Record<string, unknown>;
      };
      return { at: `${o.metadata?.namespace}/${o.metadata?.name}`, spec: o.spec ?? {} };
    });
}

/** createdInputs printed canonically and sorted, to compare with plannedObjects. */
function createdObjects(json: PreviewJson, type: string): string[] {
  return createdInputs(json, type)
    .map((o) => canonical(o))
    .sort();
}

/** A selector's empty `matchLabels`/`matchExpressions`, which the provider drops (both select all). */
const emptySelectorTerm = (k: string, x: unknown) =>
  (k === "matchLabels" || k === "matchExpressions") &&
  typeof x === "object" &&
  x !== null &&
  Object.keys(x).length === 0;

/** JSON with object keys sorted, so equal objects print equal. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .filter((k) => !emptySelectorTerm(k, (x as Record<string, unknown>)[k]))
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}

function createdByType(json: PreviewJson): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of json.steps) {
    if (s.op !== "create") continue;
    const type = s.newState?.type ?? s.urn.split("::")[2];
    out.set(type, (out.get(type) ?? 0) + 1);
  }
  return out;
}

/** The intent compiler's objects of one kind for a stack (every cluster), as createdObjects prints them. */
function plannedObjects(stack: string, kind: string): string[] {
  const platform = parsePlatformConfig(readRawPlatformConfig(stackFile(stack)));
  const app = resolveApp(platform.app.spec);
  return platform.clusters
    .flatMap((c) => clusterPlanObjects(planCluster(platform, app, c.name)))
    .filter((o) => o.kind === kind)
    .map((o) => canonical({ at: `${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec }))
    .sort();
}

const previewArgs = (stack: string) => ["preview", "--stack", stack, ...policyPackArgs(stack)];

describe("real engine, offline", () => {
  for (const stack of STACK_NAMES) {
    describe(`pulumi preview --stack ${stack} with the policy pack`, () => {
      let created: Map<string, number>;
      let json: PreviewJson;
      before(() => {
        const ws = offlineWorkspace(stack);
        const r = ws.pulumi([...previewArgs(stack), "--json"]);
        assert.equal(r.code, 0, `preview failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
        json = JSON.parse(r.stdout) as PreviewJson;
        created = createdByType(json);
      });

      it("creates exactly the NetworkPolicies, AuthorizationPolicies and workloads the intent compiles to", () => {
        // Object by object (namespace, name and spec) through the components, the engine
        // and the provider: nothing lost, added or altered on the way.
        for (const [kind, type] of [
          ["NetworkPolicy", "kubernetes:networking.k8s.io/v1:NetworkPolicy"],
          ["AuthorizationPolicy", "kubernetes:security.istio.io/v1:AuthorizationPolicy"],
          ["Deployment", "kubernetes:apps/v1:Deployment"],
          ["StatefulSet", "kubernetes:apps/v1:StatefulSet"],
        ]) {
          assert.deepEqual(
            createdObjects(json, type),
            plannedObjects(stack, kind),
            `${kind}: engine vs intent`,
          );
        }
        // And what the compiled set must hold whatever the compiler: every app namespace
        // denies all traffic by default (an empty pod selector, both directions, no rule).
        const policies = createdInputs(json, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const platform = parsePlatformConfig(readRawPlatformConfig(stackFile(stack)));
        const namespaces = resolveApp(platform.app.spec).namespaces;
        assert.ok(namespaces.length > 0);
        for (const ns of namespaces) {
          const denyAll = policies.some(
            ({ at, spec }) =>
              at.startsWith(`${ns}/`) &&
              Object.keys((spec.podSelector as object | undefined) ?? {}).length === 0 &&
              canonical([...((spec.policyTypes as string[] | undefined) ?? [])].sort()) ===
                canonical(["Egress", "Ingress"]) &&
              spec.ingress === undefined &&
              spec.egress === undefined,
          );
          assert.ok(denyAll, `${stack}: namespace ${ns} has a default-deny NetworkPolicy`);
        }
      });

      it("registers one provider per cluster and the add-on charts (fixtures here)", () => {
        const clusters = parsePlatformConfig(readRawPlatformConfig(stackFile(stack))).clusters.length;
        assert.equal(created.get("pulumi:providers:kubernetes"), clusters);
        assert.ok((created.get("kubernetes:helm.sh/v4:Chart") ?? 0) >= 5 * clusters);
        assert.equal(created.get("kubernetes:security.istio.io/v1:PeerAuthentication"), clusters);
      });
    });
  }

  describe("the policy pack blocks an insecure change", () => {
    it("fails the prod preview on a :latest image, naming the mandatory rule and the resource", () => {
      const ws = offlineWorkspace("prod", (p) => {
        (p.app as { services?: Record<string, unknown> }).services = {
          frontend: { image: "ghcr.io/example/frontend:latest" },
        };
      });
      const r = ws.pulumi(previewArgs("prod"));
      const out = r.stdout + r.stderr;
      assert.notEqual(r.code, 0, "the preview must fail");
      assert.match(out, /\[mandatory\].*kubernetes-pod-image-pinned.*prod-shop-deployment-frontend/);
      assert.match(out, /uses the floating tag :latest/);
    });

    it("preview:summary says so in its pull-request Markdown, and exits 1", () => {
      const ws = offlineWorkspace("prod", (p) => {
        (p.app as { services?: Record<string, unknown> }).services = {
          frontend: { image: "ghcr.io/example/frontend:latest" },
        };
      });
      const r = spawnSync(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          "scripts/preview-summary.ts",
          "--stack",
          "prod",
          "--cwd",
          ws.dir,
        ],
        { cwd: REPO, env: ws.env, encoding: "utf8", timeout: 600_000 },
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /Preview failed/);
      assert.match(r.stdout, /mandatory \(1\)/);
      assert.match(r.stdout, /kubernetes-pod-image-pinned/);
    });
  });

  describe("preview:summary says what a change does to connectivity (prod, after up)", () => {
    let root: string;
    before(() => {
      const ws = offlineWorkspace("prod");
      root = path.dirname(ws.dir);
      const r = ws.pulumi(["up", "--yes", "--stack", "prod", ...policyPackArgs("prod")]);
      assert.equal(r.code, 0, `up failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
    });
    const summary = (patch: PlatformPatch) => {
      const ws = prepareWorkspace({ stack: "prod", root, fixtureCharts: true, patch });
      return spawnSync(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          "scripts/preview-summary.ts",
          "--stack",
          "prod",
          "--cwd",
          ws.dir,
        ],
        { cwd: REPO, env: ws.env, encoding: "utf8", timeout: 600_000 },
      );
    };
    const edges = (p: Record<string, unknown>) =>
      ((p.app as { edges?: string[] }).edges ??= [...SHOP_APP.edges]);

    it("an added edge: opens frontend → payment TCP 8080, intended", () => {
      const r = summary((p) => edges(p).push("frontend -> payment:8080"));
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\| opens \| frontend → payment \| TCP 8080 \| ✅ intended \|/);
    });

    it("a removed edge: closes orders → events TCP 9092, intended", () => {
      const r = summary((p) => {
        const e = edges(p);
        e.splice(e.indexOf("orders -> events:9092"), 1);
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\| closes \| orders → events \| TCP 9092 \| ✅ intended \|/);
    });

    it("no connectivity effect: one line", () => {
      const r = summary((p) => {
        const app = p.app as { services?: Record<string, unknown> };
        app.services = { ...app.services, orders: { image: "ghcr.io/example/orders:2.4.2" } };
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^\*\*Connectivity:\*\* no change \(cluster `prod`\)\.$/m);
    });
  });

  describe("render mode keeps Secret values out of the manifests", () => {
    it("writes a chart's Secret with placeholders instead of its value, and says it was not rendered", () => {
      const ws = offlineWorkspace("prod", (p) => {
        (p.charts as Record<string, unknown>).kiali = { path: "test/fixtures/charts/fixture-with-secret" };
      });
      const r = ws.pulumi(["up", "--yes", "--stack", "prod", ...policyPackArgs("prod")]);
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 0, `up failed:\n${out.slice(-4000)}`);
      assert.match(
        out,
        /not rendered: holds a secret: Secret istio-system\/[\w-]+-credentials \(keys password\)/,
      );
      const files = fs
        .readdirSync(ws.renderDir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".yaml"));
      const texts = files.map((f) => fs.readFileSync(path.join(ws.renderDir, f), "utf8"));
      const secret = texts.find((t) => /kind: Secret/.test(t) && /-credentials/.test(t));
      assert.ok(secret, "the Secret is written (with placeholders)");
      // Secret data is base64, as the API server takes it: the placeholder stands there encoded.
      const encoded = Buffer.from(RENDER_PLACEHOLDER).toString("base64");
      assert.ok(
        secret.includes(encoded),
        `the placeholder (base64 ${encoded}) stands in the Secret:\n${secret}`,
      );
      for (const t of texts) assert.doesNotMatch(t, /not-a-real-password/);
    });
  });

  describe("render mode: pulumi up writes the dev stack's manifests", () => {
    let ws: Workspace;
    let files: string[];
    before(() => {
      ws = offlineWorkspace("dev");
      const r = ws.pulumi(["up", "--yes", "--stack", "dev", ...policyPackArgs("dev")]);
      assert.equal(r.code, 0, `up failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
      files = fs
        .readdirSync(ws.renderDir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".yaml"));
    });

    it("writes every object, CRD-backed ones included, as YAML", () => {
      const kinds = new Map<string, number>();
      for (const f of files) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(ws.renderDir, f), "utf8"))) {
          const kind = (doc.toJS() as { kind?: string } | null)?.kind;
          if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
      }
      assert.equal(kinds.get("NetworkPolicy"), plannedObjects("dev", "NetworkPolicy").length);
      assert.equal(kinds.get("Deployment"), plannedObjects("dev", "Deployment").length);
      assert.equal(kinds.get("PeerAuthentication"), 1);
      assert.ok((kinds.get("ConfigMap") ?? 0) > 5, "fixture charts render their ConfigMaps too");
      assert.ok(!kinds.has("Secret"), "no Secret is written in plaintext");
    });

    it("passes the policy pack's plain-manifest check on what it wrote", () => {
      const out = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "scripts/policy-check.ts", "--stack", "dev", ws.renderDir],
        { cwd: REPO, encoding: "utf8" },
      );
      assert.doesNotMatch(out, /mandatory/);
    });

    it("reports no changes on a second up", () => {
      const r = ws.pulumi(["up", "--yes", "--stack", "dev", "--expect-no-changes"]);
      assert.equal(r.code, 0, `second up changed something:\n${r.stdout.slice(-4000)}\n${r.stderr}`);
    });
  });
});
