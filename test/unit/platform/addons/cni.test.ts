import { strict as assert } from "assert";
import {
  calicoValues,
  ciliumValues,
  cniChart,
  enforcesNetworkPolicy,
  flannelValues,
  kubeProxyConfiguration,
  platformProfileConfigMap,
} from "../../../../lib/addons/cni";
import { Cni } from "../../../../components/cni";
import { cluster, platform, underMocks, validateSchema } from "./fixtures";
import { K8sObject } from "../../../../lib/k8s-object";
import type { K8sManifest } from "../../../../policy-pack/lib/resource-manifest";
import { manifestsToResources } from "../../../../policy-pack/lib/load-manifests";
import { runPack } from "../../../../policy-pack/lib/run";

const kpr = () =>
  platform({
    clusters: [
      cluster({
        cni: "cilium",
        kubeProxyMode: "kube-proxy-replacement",
        apiServer: { host: "10.0.0.10", port: 6443 },
      }),
    ],
  });
type Dict = Record<string, never>;

describe("CNI planning", () => {
  describe("Calico (tigera-operator)", () => {
    it("uses the nftables dataplane when kube-proxy runs in nftables mode", () => {
      const p = platform({ clusters: [cluster({ kubeProxyMode: "nftables" })] });
      const v = calicoValues(p.clusters[0]) as Dict;
      assert.equal(v.installation["calicoNetwork"]["linuxDataplane"], "Nftables");
    });
    for (const mode of ["iptables", "ipvs"] as const) {
      it(`uses the iptables dataplane beside kube-proxy ${mode}`, () => {
        const p = platform({ clusters: [cluster({ kubeProxyMode: mode })] });
        const v = calicoValues(p.clusters[0]) as Dict;
        assert.equal(v.installation["calicoNetwork"]["linuxDataplane"], "Iptables");
      });
    }
    it("hands out pod addresses from the cluster's pod range", () => {
      const v = calicoValues(platform().clusters[0]) as Dict;
      const pools = v.installation["calicoNetwork"]["ipPools"] as Array<{ cidr: string }>;
      assert.deepEqual(
        pools.map((x) => x.cidr),
        ["10.244.0.0/16"],
      );
    });
    it("installs into its own privileged tigera-operator namespace", () => {
      const plan = cniChart(platform().clusters[0], platform());
      assert.equal(plan.key, "tigeraOperator");
      assert.equal(plan.namespace, "tigera-operator");
      assert.equal(plan.createNamespace, true);
      assert.equal(plan.namespaceLabels["pod-security.kubernetes.io/enforce"], "privileged");
    });
  });

  describe("Cilium", () => {
    it("replaces kube-proxy and dials the API server directly with kube-proxy-replacement", () => {
      const p = kpr();
      const v = ciliumValues(p.clusters[0], p);
      assert.equal(v.kubeProxyReplacement, true);
      assert.equal(v.k8sServiceHost, "10.0.0.10");
      assert.equal(v.k8sServicePort, 6443);
    });
    it("keeps socket load balancing out of pod namespaces when Istio is on (KPR)", () => {
      const p = kpr();
      assert.deepEqual(ciliumValues(p.clusters[0], p).socketLB, { hostNamespaceOnly: true });
    });
    it("leaves kube-proxy in charge otherwise", () => {
      const p = platform({ clusters: [cluster({ cni: "cilium", kubeProxyMode: "ipvs" })] });
      const v = ciliumValues(p.clusters[0], p);
      assert.equal(v.kubeProxyReplacement, false);
      assert.equal(v.k8sServiceHost, undefined);
    });
    it("uses cluster-pool IPAM over the pod range", () => {
      const p = kpr();
      const ipam = ciliumValues(p.clusters[0], p).ipam as Dict;
      assert.equal(ipam["mode"], "cluster-pool");
      assert.deepEqual(ipam["operator"]["clusterPoolIPv4PodCIDRList"], ["10.244.0.0/16"]);
    });
    it("enables Hubble relay and UI only when observability and hubble are on", () => {
      const on = platform({
        clusters: [cluster({ cni: "cilium" })],
        observability: { enabled: true, hubble: true },
      });
      const off = platform({ clusters: [cluster({ cni: "cilium" })], observability: { enabled: false } });
      const noHubble = platform({
        clusters: [cluster({ cni: "cilium" })],
        observability: { enabled: true, hubble: false },
      });
      const hubble = (p: typeof on) => ciliumValues(p.clusters[0], p).hubble as Dict;
      assert.deepEqual([hubble(on)["relay"]["enabled"], hubble(on)["ui"]["enabled"]], [true, true]);
      assert.deepEqual([hubble(off)["relay"]["enabled"], hubble(off)["ui"]["enabled"]], [false, false]);
      assert.equal(hubble(noHubble)["relay"]["enabled"], false);
    });
    it("installs into kube-system without creating it", () => {
      const p = kpr();
      const plan = cniChart(p.clusters[0], p);
      assert.deepEqual([plan.key, plan.namespace, plan.createNamespace], ["cilium", "kube-system", false]);
    });
  });

  describe("Flannel", () => {
    it("is marked as not enforcing NetworkPolicy", () => {
      assert.equal(enforcesNetworkPolicy("flannel"), false);
      assert.equal(enforcesNetworkPolicy("calico"), true);
      assert.equal(enforcesNetworkPolicy("cilium"), true);
    });
    it("hands out the cluster's pod range", () => {
      const p = platform({ clusters: [cluster({ cni: "flannel", podCidr: "10.42.0.0/16" })] });
      assert.equal(flannelValues(p.clusters[0]).podCidr, "10.42.0.0/16");
    });
  });

  describe("kube-proxy configuration", () => {
    it("is null with Cilium's kube-proxy replacement", () => {
      assert.equal(kubeProxyConfiguration(kpr().clusters[0]), null);
    });
    it("sets ipvs mode with a scheduler", () => {
      const c = kubeProxyConfiguration(
        platform({ clusters: [cluster({ kubeProxyMode: "ipvs" })] }).clusters[0],
      );
      assert.equal(c?.apiVersion, "kubeproxy.config.k8s.io/v1alpha1");
      assert.equal(c?.kind, "KubeProxyConfiguration");
      assert.equal(c?.mode, "ipvs");
      assert.equal(c?.ipvs?.scheduler, "rr");
      assert.equal(c?.clusterCIDR, "10.244.0.0/16");
    });
    it("sets nftables mode without ipvs settings", () => {
      const c = kubeProxyConfiguration(
        platform({ clusters: [cluster({ kubeProxyMode: "nftables" })] }).clusters[0],
      );
      assert.equal(c?.mode, "nftables");
      assert.equal(c?.ipvs, undefined);
    });
  });

  describe("platform profile ConfigMap", () => {
    it("publishes exactly the keys the policy pack reads", () => {
      const p = platform();
      const cm = platformProfileConfigMap(p.clusters[0], p);
      assert.equal(cm.metadata.name, "netplat-platform");
      assert.equal(cm.metadata.namespace, "kube-system");
      assert.equal(cm.metadata.labels?.["netplat.dev/platform-profile"], "true");
      assert.deepEqual(cm.data, {
        cni: "calico",
        kubeProxyMode: "iptables",
        networkPolicyEnforced: "true",
        istio: "true",
        istioRootNamespace: "istio-system",
        cluster: "dev",
      });
    });
    it("says NetworkPolicies are not enforced on flannel and Istio is off when disabled", () => {
      const p = platform({ clusters: [cluster({ cni: "flannel" })], istio: { enabled: false } });
      const data = platformProfileConfigMap(p.clusters[0], p).data as Record<string, string>;
      assert.equal(data.networkPolicyEnforced, "false");
      assert.equal(data.istio, "false");
    });
    it("publishes the cluster's expected Service count, so the pack's kube-proxy scale rule can fire", () => {
      const p = platform({ clusters: [cluster({ expectedServiceCount: 6000 })] });
      const cm = platformProfileConfigMap(p.clusters[0], p);
      assert.equal((cm.data as Record<string, string>).expectedServiceCount, "6000");
      const scale = (objects: K8sObject[]) =>
        runPack(
          manifestsToResources(
            objects.map((m) => ({ manifest: m as K8sManifest, file: "profile.yaml", doc: 1 })),
          ),
          "prod",
        ).filter((v) => v.policy === "kubernetes-kube-proxy-mode-scale");
      assert.match(scale([cm])[0]?.message ?? "", /runs 6000 Services .* with kube-proxy mode iptables/);
      const unset = platform();
      assert.deepEqual(scale([platformProfileConfigMap(unset.clusters[0], unset)]), []);
    });
    it("is a valid v1 ConfigMap", async () => {
      const p = platform();
      await validateSchema(platformProfileConfigMap(p.clusters[0], p));
    });
  });
});

describe("Cni component", () => {
  it("installs the chart after its namespace and publishes the profile, all as its children", async () => {
    const p = platform();
    const regs = await underMocks(() => new Cni("dev-cni", { cluster: p.clusters[0], platform: p }));
    const byName = (n: string) => regs.find((r) => r.name === n)!;
    const comp = byName("dev-cni");
    assert.equal(comp.type, "k8s-netplat:network:Cni");
    const ns = byName("dev-cni-ns");
    const chart = byName("dev-cni-calico");
    const profile = byName("dev-cni-profile");
    assert.equal(ns.type, "kubernetes:core/v1:Namespace");
    assert.equal(chart.type, "kubernetes:helm.sh/v4:Chart");
    assert.equal(profile.type, "kubernetes:core/v1:ConfigMap");
    for (const child of [ns, chart, profile]) assert.match(child.parent, /k8s-netplat:network:Cni::dev-cni$/);
    assert.ok(chart.dependencies.some((d) => d.endsWith("::dev-cni-ns")));
  });
  it("exposes enforcement and the kube-proxy configuration as outputs", () => {
    const p = platform({ clusters: [cluster({ cni: "flannel", kubeProxyMode: "ipvs" })] });
    return underMocks(() => {
      const cni = new Cni("dev-cni", { cluster: p.clusters[0], platform: p });
      assert.equal(cni.enforcesNetworkPolicy, false);
      assert.equal(cni.kubeProxyConfiguration?.mode, "ipvs");
    });
  });
});
