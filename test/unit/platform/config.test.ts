import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { parsePlatformConfig } from "../../../lib/config";
import { STACK_NAMES, loadStackConfig, readRawPlatformConfig, stackFile } from "../../../lib/stack-file";
import { configProblems } from "../../support/config-problems";

const dev = () =>
  structuredClone(readRawPlatformConfig(stackFile("dev"))) as Record<string, unknown> & {
    clusters: Array<Record<string, unknown>>;
  };

const problems = configProblems;

describe("stack configuration", () => {
  for (const stack of STACK_NAMES) {
    it(`accepts the committed ${stack} stack`, () => {
      const c = loadStackConfig(stack);
      assert.ok(c.clusters.length >= 1);
      assert.ok(c.app.spec.edges.length > 0);
    });
  }

  it("applies documented defaults (STRICT mTLS, istio-system, ingress and app namespaces)", () => {
    const c = loadStackConfig("dev");
    assert.equal(c.istio.mtlsMode, "STRICT");
    assert.equal(c.istio.rootNamespace, "istio-system");
    assert.equal(c.ingress.namespace, "nginx-ingress");
    assert.equal(c.app.namespace, "shop");
  });

  it("puts each ingress controller in its own usual namespace unless one is given", () => {
    const ns = (ingress: Record<string, unknown>) => {
      const raw = dev();
      raw.ingress = ingress;
      return parsePlatformConfig(raw).ingress.namespace;
    };
    assert.equal(ns({ controller: "nginx-inc" }), "nginx-ingress");
    assert.equal(ns({ controller: "ingress-nginx" }), "ingress-nginx");
    assert.equal(ns({ controller: "gateway-api" }), "gateway-ingress");
    assert.equal(ns({ controller: "ingress-nginx", namespace: "edge" }), "edge");
  });

  it("names the key and the accepted values for an unknown CNI", () => {
    const raw = dev();
    raw.clusters[0].cni = "weave";
    assert.deepEqual(problems(raw), [
      'platform.clusters[0].cni: Invalid option: expected one of "calico"|"cilium"|"flannel" (got "weave")',
    ]);
  });

  it("rejects unknown keys instead of ignoring a typo", () => {
    const raw = dev();
    (raw.istio as Record<string, unknown>).mtlsmode = "STRICT";
    assert.deepEqual(problems(raw), ['platform.istio: unknown key(s) "mtlsmode"']);
  });

  it("rejects a CIDR with host bits set, naming the network address", () => {
    const raw = dev();
    raw.clusters[0].serviceCidr = "10.96.0.1/12";
    assert.match(
      problems(raw)[0],
      /clusters\[0\]\.serviceCidr: "10\.96\.0\.1\/12" has host bits set \(the network address is 10\.96\.0\.0\/12\)/,
    );
  });

  it("rejects overlapping pod and service ranges", () => {
    const raw = dev();
    raw.clusters[0].serviceCidr = "10.244.128.0/17";
    assert.deepEqual(problems(raw), [
      "platform.clusters[0]: podCidr (10.244.0.0/16) overlaps serviceCidr (10.244.128.0/17)",
    ]);
  });

  it("accepts Flannel only in dev, saying it does not enforce NetworkPolicy", () => {
    const raw = dev();
    raw.clusters[0].cni = "flannel";
    assert.deepEqual(problems(raw), []);
    raw.environment = "prod";
    raw.certificates = { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" };
    assert.match(
      problems(raw).join("\n"),
      /clusters\[0\]\.cni: flannel does not enforce NetworkPolicy and is accepted only when environment is dev/,
    );
  });

  it("accepts the kube-proxy replacement only with Cilium and an API server address", () => {
    const raw = dev();
    raw.clusters[0].kubeProxyMode = "kube-proxy-replacement";
    const got = problems(raw).join("\n");
    assert.match(got, /kube-proxy-replacement needs cni cilium/);
    assert.match(got, /clusters\[0\]\.apiServer: required with kube-proxy-replacement/);
  });

  it("rejects PERMISSIVE mTLS in prod", () => {
    const raw = readRawPlatformConfig(stackFile("prod")) as Record<string, Record<string, unknown>>;
    const bad = { ...raw, istio: { ...raw.istio, mtlsMode: "PERMISSIVE" } };
    assert.deepEqual(problems(bad), ["platform.istio.mtlsMode: prod accepts only STRICT (got PERMISSIVE)"]);
  });

  it("requires an ACME email for Let's Encrypt issuers", () => {
    const raw = dev();
    raw.certificates = { issuer: "letsencrypt-staging" };
    assert.match(problems(raw)[0], /certificates\.acmeEmail: required for Let's Encrypt issuers/);
  });

  it("requires Submariner, and disjoint ranges without Globalnet, for several clusters", () => {
    const raw = structuredClone(readRawPlatformConfig(stackFile("multi-cluster"))) as {
      clusters: Array<Record<string, unknown>>;
      submariner?: unknown;
    };
    raw.clusters[1].podCidr = raw.clusters[0].podCidr;
    const got = problems(raw).join("\n");
    assert.match(
      got,
      /us-east-1 podCidr \(10\.10\.0\.0\/16\) overlaps us-west-2 podCidr \(10\.10\.0\.0\/16\); .* set submariner\.globalnet: true/,
    );
    delete raw.submariner;
    assert.match(
      problems(raw).join("\n"),
      /platform\.submariner: required when there is more than one cluster/,
    );
  });

  it("rejects an edge to a port the destination does not serve", () => {
    const raw = dev();
    (raw.app as Record<string, unknown>).edges = ["frontend -> orders:1"];
    assert.match(
      problems(raw)[0],
      /platform\.app\.edges: "frontend -> orders:1": orders has no port 1 \(its ports: 8080\)/,
    );
  });

  it("rejects a placement that names no such service or leaves one unplaced", () => {
    const raw = dev();
    raw.clusters[0].services = ["frontend", "billing"];
    const got = problems(raw).join("\n");
    assert.match(got, /clusters\[0\]\.services: no such service "billing"/);
    assert.match(got, /service "orders" is placed on no cluster/);
  });
});

describe("config:check CLI", () => {
  const run = (args: string[]) => {
    try {
      const stdout = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "scripts/config-check.ts", ...args],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      return { code: 0, out: stdout };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { code: err.status, out: err.stdout + err.stderr };
    }
  };

  it("exits 0 for the committed stacks", () => {
    const r = run(STACK_NAMES.map((s) => `stacks/Pulumi.${s}.yaml`));
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(
      r.out.trim().split("\n"),
      STACK_NAMES.map((s) => `ok: stacks/Pulumi.${s}.yaml`),
    );
  });

  it("exits 1 naming each bad key", () => {
    const raw = dev();
    raw.clusters[0].cni = "weave";
    raw.environment = "staging";
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cfg-")), "Pulumi.bad.yaml");
    fs.writeFileSync(file, stringify({ config: { "k8s-netplat:platform": raw } }));
    const r = run([file]);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /platform\.environment: Invalid option: expected one of "dev"\|"prod" \(got "staging"\)/,
    );
    assert.match(r.out, /platform\.clusters\[0\]\.cni/);
  });

  it("exits 2 for a file it cannot read", () => {
    const r = run(["does/not/exist.yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.out, /does\/not\/exist\.yaml: ENOENT/);
  });
});

describe("render mode and the target Kubernetes version", () => {
  it("requires clusters[].kubernetesVersion in render mode, naming the cluster index", () => {
    const raw = dev();
    raw.render = { directory: "out/dev/manifests" };
    (raw.certificates as Record<string, unknown>).installer = "chart";
    delete (raw.clusters as Array<Record<string, unknown>>)[0].kubernetesVersion;
    assert.deepEqual(problems(raw), [
      `platform.clusters[0].kubernetesVersion: required in render mode (e.g. "1.34"), so charts are rendered for the version the manifests will be applied to, not Helm's v1.20 default`,
    ]);
  });

  it("refuses a kubernetesVersion that is not a version", () => {
    const raw = dev();
    (raw.clusters as Array<Record<string, unknown>>)[0].kubernetesVersion = "latest";
    assert.match(
      problems(raw).join("\n"),
      /platform\.clusters\[0\]\.kubernetesVersion: must be a Kubernetes version like "1\.34"/,
    );
  });
});

describe("render mode and the cert-manager installer", () => {
  it("refuses render mode with the Helm Release installer, naming the fix", () => {
    const raw = dev();
    raw.render = { directory: "out/dev/manifests" };
    assert.deepEqual(problems(raw), [
      "platform.certificates.installer: render mode cannot write a Helm Release as manifests; set installer: chart",
    ]);
    (raw.certificates as Record<string, unknown>).installer = "chart";
    assert.deepEqual(problems(raw), []);
  });
});

describe("stack configuration: namespace collisions", () => {
  it("refuses an ingress namespace that is the app's, naming both keys' owners", () => {
    const raw = dev();
    raw.ingress = { controller: "nginx-inc", namespace: "shop" };
    const got = problems(raw);
    assert.ok(
      got.some((p) =>
        /^platform\.ingress\.namespace: namespace "shop" of the nginx-inc ingress is also used by the app; choose a namespace not in use \(in use: .*shop.*\)/.test(
          p,
        ),
      ),
      got.join("\n"),
    );
    assert.ok(
      got.some((p) =>
        /^platform\.app\.namespace: namespace "shop" of the app is also used by the nginx-inc ingress/.test(
          p,
        ),
      ),
    );
  });

  it("refuses an app service namespace that is istio-system, cert-manager or monitoring", () => {
    for (const [taken, owner] of [
      ["istio-system", "Istio \\(istiod\\)"],
      ["cert-manager", "cert-manager"],
      ["monitoring", "observability"],
      ["kube-system", "Kubernetes"],
    ]) {
      const raw = dev();
      raw.observability = { enabled: true };
      (raw.app as Record<string, unknown>).services = { payment: { namespace: taken } };
      assert.match(
        problems(raw).join("\n"),
        new RegExp(
          `platform\\.app\\.services\\.payment\\.namespace: namespace "${taken}" of the app is also used by ${owner}`,
        ),
      );
    }
  });

  it("refuses an Istio root namespace shared with the ingress controller or the CNI operator", () => {
    const raw = dev();
    raw.istio = { enabled: true, rootNamespace: "nginx-ingress" };
    assert.match(
      problems(raw).join("\n"),
      /platform\.istio\.rootNamespace: namespace "nginx-ingress" of Istio \(istiod\) is also used by the nginx-inc ingress/,
    );
    raw.istio = { enabled: true, rootNamespace: "tigera-operator" };
    assert.match(
      problems(raw).join("\n"),
      /platform\.istio\.rootNamespace: namespace "tigera-operator" of Istio \(istiod\) is also used by the calico CNI/,
    );
  });

  it("refuses the gateway-api ingress in istio-ingress when Istio's own ingress gateway is on", () => {
    const raw = dev();
    raw.ingress = { controller: "gateway-api", namespace: "istio-ingress" };
    assert.deepEqual(problems(raw), []);
    raw.istio = { enabled: true, ingressGateway: true };
    assert.match(
      problems(raw).join("\n"),
      /platform\.ingress\.namespace: namespace "istio-ingress" of the gateway-api ingress is also used by the Istio ingress gateway/,
    );
  });

  it("lets the app's services share namespaces among themselves", () => {
    const raw = dev();
    (raw.app as Record<string, unknown>).services = {
      payment: { namespace: "shop" },
      orders: { namespace: "shop-payments" },
      inventory: { namespace: "shop-payments" },
    };
    assert.deepEqual(problems(raw), []);
  });
});

describe("stack configuration: what cannot work", () => {
  it("refuses a cluster with an empty services list, saying what would be accepted", () => {
    const raw = structuredClone(readRawPlatformConfig(stackFile("multi-cluster"))) as {
      clusters: Array<Record<string, unknown>>;
    };
    raw.clusters[1].services = [];
    assert.match(
      problems(raw).join("\n"),
      /platform\.clusters\[1\]\.services: an empty list places no service on this cluster; omit the key to run every service, or list some of: frontend, /,
    );
  });

  it("refuses overlapping per-cluster Globalnet ranges", () => {
    const raw = structuredClone(readRawPlatformConfig(stackFile("multi-cluster"))) as {
      clusters: Array<Record<string, unknown>>;
      submariner: Record<string, unknown>;
      environment: string;
      istio: Record<string, unknown>;
    };
    raw.submariner.globalnet = true;
    // With Globalnet the clusters cannot be one mesh, so their cross-cluster edges need PERMISSIVE mTLS (dev).
    raw.environment = "dev";
    (raw as Record<string, unknown>).platformNetworkPolicies = true;
    raw.istio = { enabled: true, mtlsMode: "PERMISSIVE" };
    raw.clusters[0].globalCidr = "242.0.0.0/16";
    raw.clusters[1].globalCidr = "242.0.128.0/17";
    assert.deepEqual(problems(raw), [
      "platform.clusters[1].globalCidr: 242.0.128.0/17 overlaps us-east-1's globalCidr 242.0.0.0/16; each cluster needs its own Globalnet range (give disjoint ranges, or omit globalCidr to carve one from submariner.globalCidrRange)",
    ]);
    raw.clusters[1].globalCidr = "242.1.0.0/16";
    assert.deepEqual(problems(raw), []);
  });
});

describe("stack configuration: keys with no effect in the chosen mode", () => {
  it("refuses gatewayNodeSelector without Submariner, and accepts it with Submariner", () => {
    const raw = dev();
    raw.clusters[0].gatewayNodeSelector = { "node-role/gateway": "true" };
    assert.deepEqual(problems(raw), [
      "platform.clusters[0].gatewayNodeSelector: has no effect without submariner; remove it or configure submariner",
    ]);
    const multi = structuredClone(readRawPlatformConfig(stackFile("multi-cluster"))) as {
      clusters: Array<Record<string, unknown>>;
    };
    multi.clusters[1].gatewayNodeSelector = { "submariner.io/gateway": "true" };
    assert.deepEqual(problems(multi), []);
  });

  it("still applies the default gatewayNodeSelector when it is not set", () => {
    assert.deepEqual(loadStackConfig("dev").clusters[0].gatewayNodeSelector, {
      "submariner.io/gateway": "true",
    });
  });

  it("refuses Kiali and the Istio ingress gateway requested with Istio off", () => {
    const raw = dev();
    raw.istio = { enabled: false, ingressGateway: true };
    raw.observability = { enabled: true, kiali: true };
    // dev's app.traffic needs the mesh too (traffic.test.ts); this test is about the two keys above.
    delete (raw.app as Record<string, unknown>).traffic;
    assert.deepEqual(problems(raw), [
      "platform.observability.kiali: Kiali shows the Istio mesh and is not installed with istio.enabled: false; remove it or enable Istio",
      "platform.istio.ingressGateway: has no effect with istio.enabled: false; remove it or enable Istio",
    ]);
    raw.istio = { enabled: false, ingressGateway: false };
    raw.observability = { enabled: true, kiali: false };
    assert.deepEqual(problems(raw), []);
  });

  it("refuses a chart override with path beside repository, chart or version", () => {
    const raw = dev();
    raw.charts = {
      istiod: { path: "./charts/istiod", repository: "https://mirror.example.com/istio", version: "1.27.3" },
    };
    assert.deepEqual(problems(raw), [
      "platform.charts.istiod: path (a local chart directory) replaces repository, version, which would be ignored; set either path alone or repository/chart/version",
    ]);
    raw.charts = { istiod: { path: "./charts/istiod" } };
    assert.deepEqual(problems(raw), []);
  });
});

describe("add-on namespaces the config checks against", () => {
  it("are the namespaces the add-ons install into", async () => {
    const { ADDON_NAMESPACES } = await import("../../../lib/config");
    const { CERT_MANAGER_NAMESPACE } = await import("../../../lib/addons/cert-manager");
    const { MONITORING_NAMESPACE } = await import("../../../lib/addons/observability");
    const { ISTIO_INGRESS_NAMESPACE } = await import("../../../lib/addons/istio");
    const { OPERATOR_NAMESPACE, BROKER_NAMESPACE } = await import("../../../lib/addons/submariner");
    const { cniChart } = await import("../../../lib/addons/cni");
    assert.equal(ADDON_NAMESPACES.certManager, CERT_MANAGER_NAMESPACE);
    assert.equal(ADDON_NAMESPACES.monitoring, MONITORING_NAMESPACE);
    assert.equal(ADDON_NAMESPACES.istioIngress, ISTIO_INGRESS_NAMESPACE);
    assert.equal(ADDON_NAMESPACES.submarinerOperator, OPERATOR_NAMESPACE);
    assert.equal(ADDON_NAMESPACES.submarinerBroker, BROKER_NAMESPACE);
    for (const cni of ["calico", "cilium", "flannel"] as const) {
      const raw = dev();
      raw.clusters[0].cni = cni;
      const p = parsePlatformConfig(raw);
      assert.equal(ADDON_NAMESPACES.cni[cni], cniChart(p.clusters[0], p).namespace, cni);
    }
  });
});
