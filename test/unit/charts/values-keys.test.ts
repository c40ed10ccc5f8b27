/**
 * Every values key the program sets (lib/addons/*.ts through the components, for every
 * chart of every stack, the stack's own `values.<key>` merged in) means something to the
 * real chart it is for: it is in the chart's values.yaml or values.schema.json, or a
 * template reads `.Values.<key>` (subcharts included). A key the chart does not know is
 * silently ignored by Helm, so a typo or a renamed value would otherwise go unnoticed.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ChartKey } from "../../../lib/charts";
import { STACK_NAMES } from "../../../lib/stack-file";
import {
  ChartTree,
  inSchema,
  readChartTree,
  sharedChartMirror,
  valuesPathKnown,
  valuesPaths,
} from "../../support/charts";
import { stackCharts } from "../../support/stack-charts";

interface Passthrough {
  key: ChartKey;
  /** The values subtree the chart hands on whole. */
  prefix: string[];
  /** The template line that does it (checked, so the exception goes when the chart changes). */
  template: RegExp;
  /** Where a schema of the receiving side exists in the chart: a CRD file and the kind's field. */
  crd?: { file: string; field: string[] };
  why: string;
}

/**
 * Subtrees a chart passes on wholesale to its component's own configuration, so neither
 * values.yaml nor a template names their keys. Where the chart ships the receiving
 * schema (Calico's Installation CRD) the keys are checked against it instead.
 */
const PASSTHROUGH: Passthrough[] = [
  {
    key: "tigeraOperator",
    prefix: ["installation"],
    template: /\$installSpec := omit \.Values\.installation "enabled"/,
    crd: { file: "crds/operator.tigera.io_installations_crd.yaml", field: ["spec"] },
    why: "becomes the Installation resource's spec",
  },
  {
    key: "istiod",
    prefix: ["meshConfig"],
    template: /mergeOverwrite \$originalMesh \.Values\.meshConfig/,
    why: "merged into Istio's MeshConfig (the chart has no schema of it)",
  },
  {
    key: "kiali",
    prefix: [],
    template: /\$cm := omit \.Values "kiali_route_url"/,
    why: "every value is Kiali's config.yaml (the chart has no schema of it)",
  },
];

function crdSchema(chartDir: string, crd: { file: string; field: string[] }): unknown {
  const doc = parse(fs.readFileSync(path.join(chartDir, crd.file), "utf8")) as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: unknown } }> };
  };
  return crd.field.reduce<unknown>(
    (s, f) => (s as { properties: Record<string, unknown> }).properties[f],
    doc.spec.versions[0].schema.openAPIV3Schema,
  );
}

/** Whether a path is known to the chart, or to the configuration it hands a subtree on to. */
function known(key: ChartKey, tree: ChartTree, keys: string[]): boolean {
  if (valuesPathKnown(tree, keys)) return true;
  const p = PASSTHROUGH.find((x) => x.key === key && x.prefix.every((k, i) => keys[i] === k));
  if (!p) return false;
  assert.match(
    tree.templates,
    p.template,
    `${key}: the chart no longer passes ${p.prefix.join(".")} on (${p.why})`,
  );
  return p.crd ? inSchema(crdSchema(tree.dir, p.crd), keys.slice(p.prefix.length)) : true;
}

describe("chart values the program sets exist in the real charts", function () {
  this.timeout(120_000);
  const trees = new Map<string, ChartTree>();
  const tree = (dir: string) => {
    if (!trees.has(dir)) trees.set(dir, readChartTree(dir));
    return trees.get(dir)!;
  };

  for (const stack of STACK_NAMES) {
    it(`${stack}: every values key of every installed chart is one the chart reads`, async () => {
      const { charts } = await stackCharts(stack, sharedChartMirror());
      assert.ok(charts.length >= 4, `${stack} installs ${charts.length} charts`);
      const unknown = charts.flatMap((c) =>
        valuesPaths(c.values)
          .filter((p) => !known(c.key, tree(c.dir), p))
          .map((p) => `${c.key} (${c.release}): ${p.join(".")}`),
      );
      assert.deepEqual(unknown, []);
    });
  }

  /** Charts no committed stack installs: Flannel, community ingress-nginx, Istio's ingress gateway. */
  const variants: Array<[string, ChartKey, (p: Record<string, unknown>) => void]> = [
    ["dev on Flannel", "flannel", (p) => ((p.clusters as Array<Record<string, unknown>>)[0].cni = "flannel")],
    [
      "prod with ingress-nginx",
      "ingressNginx",
      (p) => (p.ingress = { ...(p.ingress as object), controller: "ingress-nginx" }),
    ],
    [
      "prod with Istio's ingress gateway",
      "istioGateway",
      (p) => (p.istio = { ...(p.istio as object), ingressGateway: true }),
    ],
  ];
  for (const [name, key, patch] of variants) {
    it(`${name}: every values key is one the chart reads`, async () => {
      const { charts } = await stackCharts(name.split(" ")[0], sharedChartMirror(), patch);
      assert.ok(
        charts.some((c) => c.key === key),
        `${key} installed`,
      );
      const unknown = charts.flatMap((c) =>
        valuesPaths(c.values)
          .filter((p) => !known(c.key, tree(c.dir), p))
          .map((p) => `${c.key} (${c.release}): ${p.join(".")}`),
      );
      assert.deepEqual(unknown, []);
    });
  }

  it("catches a key the chart does not have (a typo in the F5 controller's values)", () => {
    const t = tree(`${sharedChartMirror()}/nginxIngress`);
    assert.equal(valuesPathKnown(t, ["controller", "service", "type"]), true);
    assert.equal(valuesPathKnown(t, ["controller", "servce", "type"]), false);
    // A free-form map takes any key: the controller's ConfigMap entries.
    assert.equal(valuesPathKnown(t, ["controller", "config", "entries", "ssl-redirect"]), true);
  });

  it("checks what Calico's chart passes on against the Installation CRD it ships", () => {
    const t = tree(`${sharedChartMirror()}/tigeraOperator`);
    assert.equal(known("tigeraOperator", t, ["installation", "calicoNetwork", "linuxDataplane"]), true);
    assert.equal(known("tigeraOperator", t, ["installation", "calicoNetwork", "linuxDataPlane"]), false);
  });

  it("looks keys up in subcharts under their name (Grafana in kube-prometheus-stack)", () => {
    const kps = tree(`${sharedChartMirror()}/kubePrometheusStack`);
    assert.equal(valuesPathKnown(kps, ["grafana", "admin", "existingSecret"]), true);
    assert.equal(valuesPathKnown(kps, ["grafana", "admin", "existingSecrett"]), false);
  });
});
