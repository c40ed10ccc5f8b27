import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Json, localiseSchema } from "../../../scripts/lib/chart-mirror";
import { helmTemplate, preparedChartMirror, sharedChartMirror } from "../../support/charts";

const K8S =
  "https://raw.githubusercontent.com/nginxinc/kubernetes-json-schema/master/v1.34.0/_definitions.json";
const definitions: Record<string, { [k: string]: Json }> = {
  "io.k8s.api.core.v1.Toleration": {
    type: "object",
    properties: { effect: { type: "string" }, tolerationSeconds: { type: "integer" } },
  },
  "io.k8s.api.core.v1.PodSpec": {
    type: "object",
    properties: {
      dnsPolicy: { type: "string" },
      tolerations: { type: "array", items: { $ref: "#/definitions/io.k8s.api.core.v1.Toleration" } },
    },
  },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string" },
  "io.k8s.api.core.v1.Unused": { type: "object" },
};

describe("chart mirror: values.schema.json made to validate offline", () => {
  it("points a remote Kubernetes definition at a local copy of it and what it uses", () => {
    const r = localiseSchema(
      {
        type: "object",
        properties: {
          dnsPolicy: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.PodSpec/properties/dnsPolicy` },
          maxUnavailable: { $ref: `${K8S}#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString` },
        },
      },
      definitions,
    );
    const props = r.schema.properties as Record<string, { $ref: string }>;
    assert.equal(props.dnsPolicy.$ref, "#/definitions/io.k8s.api.core.v1.PodSpec/properties/dnsPolicy");
    assert.deepEqual(r.copied, [
      "io.k8s.api.core.v1.PodSpec",
      "io.k8s.api.core.v1.Toleration",
      "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    ]);
    assert.equal(r.localised, 2);
    assert.deepEqual(r.dropped, []);
    // IntOrString takes numbers too (maxUnavailable: 1), as in YAML.
    const defs = r.schema.definitions as Record<string, unknown>;
    assert.deepEqual(defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"], {
      oneOf: [{ type: "string" }, { type: "integer" }],
    });
  });

  it("drops a remote $ref it has no local definition for, and names the values path that loses validation", () => {
    const r = localiseSchema(
      {
        properties: {
          controller: {
            properties: {
              affinity: { $ref: `${K8S}#/definitions/io.k8s.api.core.v1.NoSuchThing`, title: "affinity" },
              extra: { items: { $ref: "https://example.org/other.json" } },
            },
          },
        },
      },
      definitions,
    );
    assert.deepEqual(r.dropped, [
      `controller.affinity: no local definition for ${K8S}#/definitions/io.k8s.api.core.v1.NoSuchThing; these values are no longer validated`,
      "controller.extra[]: no local definition for https://example.org/other.json; these values are no longer validated",
    ]);
    assert.equal(r.localised, 0);
    assert.equal(JSON.stringify(r.schema).includes("https://"), false);
  });
});

describe("npm run charts:mirror on the upstream charts", function () {
  this.timeout(120_000);

  it("leaves no remote $ref in F5's nginx-ingress schema, which the upstream chart has 61 of", () => {
    const remote = (f: string) => (fs.readFileSync(f, "utf8").match(/"\$ref":\s*"https?:/g) ?? []).length;
    assert.equal(remote(path.join(sharedChartMirror(), "nginxIngress", "values.schema.json")), 61);
    assert.equal(remote(path.join(preparedChartMirror(), "nginxIngress", "values.schema.json")), 0);
  });

  it("lets helm template the nginx-ingress chart offline with validation on", () => {
    const objects = helmTemplate(path.join(preparedChartMirror(), "nginxIngress"), {
      release: "ingress",
      namespace: "ingress-nginx",
      values: { controller: { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } },
    });
    assert.ok(objects.some((o) => o.kind === "Deployment"));
    assert.ok(objects.some((o) => o.kind === "PodDisruptionBudget"));
  });

  it("still refuses values the Kubernetes definitions reject (validation is on, not skipped)", () => {
    const render = (values: Record<string, unknown>) => () =>
      helmTemplate(path.join(preparedChartMirror(), "nginxIngress"), {
        release: "ingress",
        namespace: "ingress-nginx",
        values,
      });
    assert.throws(
      render({ controller: { affinity: { nodeAffinity: "oops" } } }),
      /controller\/affinity\/nodeAffinity/,
    );
    assert.throws(render({ controller: { replicaCount: "two" } }), /controller\/replicaCount/);
  });
});

describe("charts:mirror arguments", () => {
  it("exits 2 without --out, with an unknown flag or a --from that is not a directory", async () => {
    const { main } = await import("../../../scripts/charts-mirror");
    const quiet = process.stderr.write;
    process.stderr.write = () => true;
    try {
      assert.equal(main([]), 2);
      assert.equal(main(["--out", "/tmp/x", "--frm", "y"]), 2);
      assert.equal(main(["--out", "/tmp/x", "--from", "/no/such/dir"]), 2);
    } finally {
      process.stderr.write = quiet;
    }
  });
});
