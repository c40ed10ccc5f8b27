import * as assert from "assert";
import type { K8sManifest } from "../../../policy-pack/lib/resource-manifest";
import { POLICIES, POLICY_NAMES } from "../../../policy-pack/policies";
import { parseImage } from "../../../policy-pack/rules/kubernetes-pod-image-pinned";
import { find, firstContainer, fixtureManifests, podSpec, runRule, summary } from "./harness";

interface Case {
  /** Changes the secure fixture so the rule is violated (or, for `compliant`, still satisfied). */
  mutate: (ms: K8sManifest[]) => K8sManifest[] | void;
  config?: Record<string, unknown>;
  /** Substring of a violation message; "" for a compliant case. */
  expect: string;
  /** `kind namespace/name` expected to carry the violation. */
  on?: string;
}

type Cases = Record<string, { violating: Case[]; compliant?: Case[] }>;

const frontend = (ms: K8sManifest[]) => find(ms, "Deployment", "frontend");
const sc = (ms: K8sManifest[]) => firstContainer(frontend(ms)).securityContext;
const profile = (ms: K8sManifest[]) =>
  find(ms, "ConfigMap", "netplat-platform").data as Record<string, string>;
const without = (kind: string, name: string) => (ms: K8sManifest[]) =>
  ms.filter((m) => !(m.kind === kind && m.metadata.name === name));
const netpol = (ms: K8sManifest[], name: string) =>
  find(ms, "NetworkPolicy", name).spec as {
    podSelector?: unknown;
    policyTypes?: string[];
    ingress?: Array<{ from?: unknown[]; ports?: Array<Record<string, unknown>> }>;
    egress?: Array<{ to?: unknown[]; ports?: Array<Record<string, unknown>> }>;
  };

const meshConfigMap = (ms: K8sManifest[]) => find(ms, "ConfigMap", "istio-1-27");
/** An istiod Helm chart resource (as the engine shows it), its meshConfig setting `mode`. */
const istiodChart = ({ mode }: { mode: string }): K8sManifest =>
  ({
    apiVersion: "helm.sh/v4",
    kind: "Chart",
    metadata: { name: "istiod", namespace: "istio-system" },
    chart: "oci://registry.example/istio/istiod",
    values: { meshConfig: { outboundTrafficPolicy: { mode } } },
  }) as unknown as K8sManifest;

const virtualService = (http: Array<Record<string, unknown>>): K8sManifest => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "orders", namespace: "shop" },
  spec: {
    hosts: ["orders.shop.svc.cluster.local"],
    http: http.map((h) => ({
      ...h,
      route: [
        { destination: { host: "orders.shop.svc.cluster.local", subset: "v1" }, weight: 90 },
        { destination: { host: "orders.shop.svc.cluster.local", subset: "v2" }, weight: 10 },
      ],
    })),
  },
});

const CASES: Cases = {
  "kubernetes-pod-read-only-root-filesystem": {
    violating: [
      { mutate: (ms) => void (sc(ms).readOnlyRootFilesystem = false), expect: "readOnlyRootFilesystem" },
    ],
  },
  "kubernetes-pod-image-pinned": {
    violating: [
      {
        mutate: (ms) => void (firstContainer(frontend(ms)).image = "ghcr.io/example/frontend"),
        expect: "has no tag",
      },
      {
        mutate: (ms) => void (firstContainer(frontend(ms)).image = "registry:5000/frontend:latest"),
        expect: ":latest",
      },
      {
        // init containers are checked too
        mutate: (ms) =>
          void (podSpec(frontend(ms)).initContainers = [{ name: "migrate", image: "registry:5000/migrate" }]),
        expect: 'init container "migrate" image "registry:5000/migrate" has no tag',
      },
    ],
    compliant: [
      {
        mutate: (ms) => void (firstContainer(frontend(ms)).image = "registry:5000/frontend:2.4.1"),
        expect: "",
      },
    ],
  },
  "kubernetes-pod-image-digest": {
    violating: [
      {
        mutate: (ms) => void (firstContainer(frontend(ms)).image = "ghcr.io/example/frontend:2.4.1"),
        expect: "not pinned by digest",
      },
    ],
  },
  "kubernetes-pod-resources": {
    violating: [
      {
        mutate: (ms) =>
          void delete (firstContainer(frontend(ms)).resources as { limits: Record<string, string> }).limits
            .memory,
        expect: "no resources.limits.memory",
      },
    ],
  },
  "kubernetes-pod-probes": {
    violating: [
      { mutate: (ms) => void delete firstContainer(frontend(ms)).livenessProbe, expect: "no livenessProbe" },
    ],
    compliant: [
      {
        // Jobs run to completion: no probes needed
        mutate: (ms) => [
          ...ms,
          {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name: "migrate", namespace: "shop" },
            spec: { template: { spec: { containers: [{ name: "m", image: "x:1" }] } } },
          },
        ],
        expect: "",
      },
    ],
  },
  "kubernetes-no-default-namespace": {
    violating: [
      {
        mutate: (ms) => void delete find(ms, "Service", "frontend").metadata.namespace,
        expect: "sets no namespace",
        on: "Service frontend",
      },
      {
        mutate: (ms) => void (frontend(ms).metadata.namespace = "default"),
        expect: "in the `default` namespace",
      },
    ],
  },
  "kubernetes-service-type-allowlist": {
    violating: [
      {
        mutate: (ms) => void (find(ms, "Service", "frontend").spec!.type = "LoadBalancer"),
        expect: "type LoadBalancer",
      },
      {
        mutate: (ms) => void (find(ms, "Service", "orders").spec!.type = "NodePort"),
        config: { allowedExposedServices: ["shop/frontend"] },
        expect: "type NodePort",
      },
    ],
    compliant: [
      {
        mutate: (ms) => void (find(ms, "Service", "frontend").spec!.type = "NodePort"),
        config: { allowedExposedServices: ["shop/front*", "ingress-nginx/*-controller"] },
        expect: "",
      },
    ],
  },
  "kubernetes-service-no-external-ips": {
    violating: [
      {
        mutate: (ms) => void (find(ms, "Service", "frontend").spec!.externalIPs = ["192.0.2.1"]),
        expect: "externalIPs 192.0.2.1",
      },
    ],
  },
  "kubernetes-ingress-tls": {
    violating: [
      { mutate: (ms) => void delete find(ms, "Ingress", "shop").spec!.tls, expect: "no spec.tls" },
      {
        mutate: (ms) =>
          void (find(ms, "Ingress", "shop").spec!.tls = [{ hosts: ["*.example.org"], secretName: "x" }]),
        expect: 'host "shop.example.com" has no TLS entry',
      },
    ],
    compliant: [
      {
        mutate: (ms) =>
          void (find(ms, "Ingress", "shop").spec!.tls = [{ hosts: ["*.example.com"], secretName: "x" }]),
        expect: "",
      },
    ],
  },
  "kubernetes-ingress-ssl-redirect": {
    violating: [
      {
        mutate: (ms) =>
          void delete find(ms, "Ingress", "shop").metadata.annotations!["nginx.org/redirect-to-https"],
        expect: "sets no HTTP-to-HTTPS redirect annotation",
      },
      {
        mutate: (ms) =>
          void delete find(ms, "Ingress", "shop").metadata.annotations!["nginx.org/redirect-to-https"],
        config: { f5Classes: ["nginx"] },
        expect: 'no nginx.org/redirect-to-https: "true"',
      },
      {
        mutate: (ms) =>
          void (find(ms, "Ingress", "shop").metadata.annotations = {
            "nginx.ingress.kubernetes.io/ssl-redirect": "false",
          }),
        expect: 'ssl-redirect is "false"',
      },
    ],
    compliant: [
      {
        mutate: (ms) => {
          const ing = find(ms, "Ingress", "shop");
          ing.metadata.annotations = { "nginx.ingress.kubernetes.io/ssl-redirect": "true" };
        },
        expect: "",
      },
      { mutate: (ms) => void (find(ms, "Ingress", "shop").spec!.ingressClassName = "istio"), expect: "" },
    ],
  },
  "kubernetes-ingress-no-wildcard-host": {
    violating: [
      {
        mutate: (ms) =>
          void ((find(ms, "Ingress", "shop").spec!.rules as Array<{ host?: string }>)[0].host = ""),
        expect: "has no host",
      },
      {
        mutate: (ms) =>
          void (find(ms, "Ingress", "shop").spec!.defaultBackend = {
            service: { name: "frontend", port: { number: 8080 } },
          }),
        expect: "defaultBackend",
      },
    ],
  },
  "kubernetes-ingress-retired-ingress-nginx": {
    violating: [
      {
        mutate: (ms) =>
          void (find(ms, "Ingress", "shop").metadata.annotations![
            "nginx.ingress.kubernetes.io/ssl-redirect"
          ] = "true"),
        expect: "retired in March 2026",
      },
      {
        mutate: () => undefined,
        config: { communityClasses: ["nginx"] },
        expect: "no more security fixes",
      },
    ],
  },
  "kubernetes-networkpolicy-no-allow-all": {
    violating: [
      {
        mutate: (ms) => void (netpol(ms, "frontend").ingress![0].from = [{ namespaceSelector: {} }]),
        expect: "namespaceSelector: {} without a podSelector",
      },
      { mutate: (ms) => void (netpol(ms, "frontend").egress![0].to = [{}]), expect: "empty peer {}" },
      { mutate: (ms) => void delete netpol(ms, "orders").ingress![0].from, expect: "has no `from`" },
      {
        mutate: (ms) => void (netpol(ms, "orders").ingress![0].from = [{ ipBlock: { cidr: "0.0.0.0/0" } }]),
        expect: "ipBlock 0.0.0.0/0",
      },
    ],
    compliant: [
      {
        mutate: (ms) => void delete netpol(ms, "orders").ingress![0].from,
        config: { allowed: ["shop/ord*"] },
        expect: "",
      },
      {
        // all pods of the ingress namespace, not all namespaces
        mutate: (ms) =>
          void (netpol(ms, "frontend").ingress![0].from = [
            { namespaceSelector: {}, podSelector: { matchLabels: { a: "b" } } },
          ]),
        expect: "",
      },
    ],
  },
  "kubernetes-networkpolicy-no-egress-anywhere": {
    violating: [
      {
        mutate: (ms) => void (netpol(ms, "allow-dns").egress![0].to = [{ ipBlock: { cidr: "::/0" } }]),
        expect: "ipBlock ::/0",
      },
    ],
    compliant: [
      {
        mutate: (ms) => void (netpol(ms, "allow-dns").egress![0].to = [{ ipBlock: { cidr: "0.0.0.0/0" } }]),
        config: { allowed: ["shop/allow-dns"] },
        expect: "",
      },
    ],
  },
  "kubernetes-networkpolicy-dns-udp-tcp": {
    violating: [
      { mutate: (ms) => void netpol(ms, "allow-dns").egress![0].ports!.pop(), expect: "without TCP" },
    ],
    compliant: [
      // named CoreDNS ports cover both
      {
        mutate: (ms) =>
          void (netpol(ms, "allow-dns").egress![0].ports = [
            { port: "dns", protocol: "UDP" },
            { port: "dns-tcp", protocol: "TCP" },
          ]),
        expect: "",
      },
    ],
  },
  "kubernetes-networkpolicy-explicit-protocol": {
    violating: [
      {
        mutate: (ms) => void delete netpol(ms, "frontend").ingress![0].ports![0].protocol,
        expect: "names no protocol",
      },
    ],
    compliant: [
      {
        mutate: (ms) => void delete netpol(ms, "frontend").ingress![0].ports![0].protocol,
        config: { allowImplicitTcp: true },
        expect: "",
      },
    ],
  },
  "kubernetes-networkpolicy-endport-numeric": {
    violating: [
      {
        mutate: (ms) =>
          void netpol(ms, "frontend").egress![0].ports!.push({
            port: "http",
            endPort: 8090,
            protocol: "TCP",
          }),
        expect: 'port "http"',
      },
      {
        mutate: (ms) =>
          void netpol(ms, "frontend").egress![0].ports!.push({ port: 9000, endPort: 8000, protocol: "TCP" }),
        expect: "below port 9000",
      },
    ],
    compliant: [
      {
        mutate: (ms) =>
          void netpol(ms, "frontend").egress![0].ports!.push({ port: 9000, endPort: 9100, protocol: "TCP" }),
        expect: "",
      },
    ],
  },
  "istio-peerauthentication-strict": {
    violating: [
      {
        mutate: (ms) => void (find(ms, "PeerAuthentication", "shop").spec!.mtls = { mode: "PERMISSIVE" }),
        expect: "mtls.mode is PERMISSIVE",
      },
      {
        mutate: (ms) => {
          const pa = find(ms, "PeerAuthentication", "shop");
          pa.apiVersion = "security.istio.io/v1beta1";
          pa.spec!.portLevelMtls = { "9090": { mode: "DISABLE" } };
        },
        expect: "portLevelMtls[9090].mode is DISABLE",
      },
    ],
  },
  "istio-virtualservice-no-fault": {
    violating: [
      {
        mutate: (ms) =>
          void ms.push(
            virtualService([
              { name: "fault-injection", fault: { abort: { percentage: { value: 5 }, httpStatus: 503 } } },
              { name: "default" },
            ]),
          ),
        expect: 'http[0] (route "fault-injection") injects a fault: abort',
        on: "VirtualService shop/orders",
      },
      {
        mutate: (ms) =>
          void ms.push(
            virtualService([
              {},
              {
                fault: { delay: { percentage: { value: 10 }, fixedDelay: "2s" }, abort: { httpStatus: 500 } },
              },
            ]),
          ),
        expect: "http[1] injects a fault: delay and abort",
      },
    ],
    compliant: [
      // Weights, a timeout and retries are not faults.
      { mutate: (ms) => void ms.push(virtualService([{ name: "default", timeout: "3s" }])), expect: "" },
    ],
  },
  "certmanager-clusterissuer-acme-production": {
    violating: [
      {
        mutate: (ms) =>
          void ((find(ms, "ClusterIssuer", "letsencrypt-prod").spec!.acme as Record<string, unknown>).server =
            "https://acme-staging-v02.api.letsencrypt.org/directory"),
        expect: "(a staging server)",
        on: "ClusterIssuer letsencrypt-prod",
      },
    ],
  },
  "kubernetes-deployment-ha": {
    violating: [
      { mutate: (ms) => void (frontend(ms).spec!.replicas = 1), expect: "runs 1 replica, fewer than 2" },
      {
        mutate: without("PodDisruptionBudget", "orders"),
        expect: "no PodDisruptionBudget selects its pods",
        on: "Deployment shop/orders",
      },
      {
        mutate: (ms) =>
          void (find(ms, "PodDisruptionBudget", "frontend").spec = {
            minAvailable: "100%",
            selector: { matchLabels: { app: "frontend" } },
          }),
        expect: "allows no voluntary disruption",
      },
    ],
    compliant: [
      {
        mutate: (ms) =>
          void (find(ms, "PodDisruptionBudget", "frontend").spec = {
            minAvailable: "50%",
            selector: { matchLabels: { app: "frontend" } },
          }),
        expect: "",
      },
    ],
  },
  "kubernetes-namespace-default-deny": {
    violating: [
      {
        mutate: without("NetworkPolicy", "default-deny"),
        expect: 'namespace "shop" holds 2 workload(s)',
        on: "Namespace shop",
      },
    ],
    compliant: [
      {
        // one policy per direction counts too
        mutate: (ms) => {
          const np = find(ms, "NetworkPolicy", "default-deny");
          np.spec = { podSelector: {}, policyTypes: ["Ingress"] };
          ms.push({
            ...structuredClone(np),
            metadata: { name: "deny-egress", namespace: "shop" },
            spec: { podSelector: {}, policyTypes: ["Egress"] },
          });
        },
        expect: "",
      },
    ],
  },
  "istio-mesh-strict-mtls": {
    violating: [
      {
        mutate: without("PeerAuthentication", "default"),
        expect: 'no mesh-wide STRICT PeerAuthentication exists in "istio-system"',
      },
      {
        mutate: (ms) =>
          void (find(ms, "PeerAuthentication", "default").spec = { mtls: { mode: "PERMISSIVE" } }),
        expect: "has mtls.mode PERMISSIVE",
      },
      {
        // Without the profile, Istio is detected from istiod, whose chart names it after the revision.
        mutate: (ms) => {
          const rest = without("PeerAuthentication", "default")(without("ConfigMap", "netplat-platform")(ms));
          rest.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "istiod-1-27", namespace: "istio-system", labels: { app: "istiod" } },
            spec: {
              selector: { matchLabels: { app: "istiod" } },
              template: {
                metadata: { labels: { app: "istiod" } },
                spec: { containers: [{ name: "discovery", image: "docker.io/istio/pilot:1.27.3" }] },
              },
            },
          });
          return rest;
        },
        expect: "no mesh-wide STRICT PeerAuthentication exists",
        on: "Deployment istio-system/istiod-1-27",
      },
    ],
    compliant: [
      {
        mutate: (ms) => {
          profile(ms).istio = "false";
          return without("PeerAuthentication", "default")(ms);
        },
        expect: "",
      },
    ],
  },
  "istio-mesh-registry-only": {
    violating: [
      {
        mutate: (ms) =>
          void (meshConfigMap(ms).data = { mesh: "outboundTrafficPolicy:\n  mode: ALLOW_ANY\n" }),
        expect:
          'the mesh config of cluster "prod-1" has outboundTrafficPolicy.mode ALLOW_ANY, not REGISTRY_ONLY',
        on: "ConfigMap istio-system/istio-1-27",
      },
      {
        // Unset is Istio's default, ALLOW_ANY.
        mutate: (ms) => void (meshConfigMap(ms).data = { mesh: "trustDomain: cluster.local\n" }),
        expect: "outboundTrafficPolicy.mode unset (Istio's default, ALLOW_ANY)",
      },
      {
        mutate: (ms) => void (meshConfigMap(ms).data = { mesh: "outboundTrafficPolicy: [unclosed\n" }),
        expect: "its mesh config is not valid YAML",
      },
      {
        // No mesh ConfigMap: the istiod chart's values are judged instead.
        mutate: (ms) => [...without("ConfigMap", "istio-1-27")(ms), istiodChart({ mode: "ALLOW_ANY" })],
        expect: "the istiod chart's meshConfig has outboundTrafficPolicy.mode ALLOW_ANY",
      },
      {
        mutate: without("ConfigMap", "istio-1-27"),
        expect: 'Istio is installed in cluster "prod-1" but no mesh config',
        on: "ConfigMap kube-system/netplat-platform",
      },
    ],
    compliant: [
      {
        mutate: (ms) => [...without("ConfigMap", "istio-1-27")(ms), istiodChart({ mode: "REGISTRY_ONLY" })],
        expect: "",
      },
      {
        // No Istio, nothing to judge.
        mutate: (ms) => {
          profile(ms).istio = "false";
          return without("ConfigMap", "istio-1-27")(ms);
        },
        expect: "",
      },
      {
        // A ConfigMap of another name in the root namespace is not istiod's mesh config.
        mutate: (ms) => [
          ...ms,
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "istio-ca-root-cert", namespace: "istio-system" },
            data: { "root-cert.pem": "x" },
          },
        ],
        expect: "",
      },
    ],
  },
  "kubernetes-networkpolicy-enforced-by-cni": {
    violating: [
      {
        mutate: (ms) => {
          profile(ms).cni = "flannel";
          delete profile(ms).networkPolicyEnforced;
        },
        expect: "flannel does not enforce them",
      },
    ],
  },
  "kubernetes-kube-proxy-mode-scale": {
    violating: [
      {
        mutate: (ms) => {
          profile(ms).kubeProxyMode = "iptables";
          profile(ms).expectedServiceCount = "6000";
        },
        expect: "runs 6000 Services",
      },
      {
        mutate: (ms) => void (profile(ms).kubeProxyMode = "iptables"),
        config: { maxServicesWithIptables: 2 },
        expect: "runs 3 Services",
      },
    ],
    compliant: [{ mutate: (ms) => void (profile(ms).expectedServiceCount = "6000"), expect: "" }],
  },
  "kubernetes-workload-networkpolicy-coverage": {
    violating: [
      {
        mutate: (ms) => without("NetworkPolicy", "allow-dns")(without("NetworkPolicy", "default-deny")(ms)),
        expect: "for Egress",
        on: "Deployment shop/orders",
      },
    ],
  },
};

describe("policy rules (each through its own validate function)", () => {
  it("every policy of the pack has a violating test case here, in pss.test.ts or in reachability.test.ts", () => {
    const pss = POLICIES.filter((p) => p.tags.includes("pod-security-standards")).map((p) => p.name);
    const covered = new Set([...Object.keys(CASES), ...pss, "reachability-matches-intent"]);
    assert.deepStrictEqual(
      POLICY_NAMES.filter((n) => !covered.has(n)),
      [],
    );
  });

  for (const [name, { violating, compliant }] of Object.entries(CASES)) {
    describe(name, () => {
      it("is quiet on the secure fixture", () => {
        const vs = runRule(name, fixtureManifests("secure"));
        assert.strictEqual(vs.length, 0, summary(vs));
      });
      for (const [i, c] of (compliant ?? []).entries()) {
        it(`compliant case ${i + 1}`, () => {
          const ms = fixtureManifests("secure");
          const vs = runRule(name, c.mutate(ms) ?? ms, c.config);
          assert.strictEqual(vs.length, 0, summary(vs));
        });
      }
      for (const [i, c] of violating.entries()) {
        it(`violating case ${i + 1}: ${c.expect}`, () => {
          const ms = fixtureManifests("secure");
          const vs = runRule(name, c.mutate(ms) ?? ms, c.config);
          const hit = vs.find((v) => v.message.includes(c.expect));
          assert.ok(hit, `expected "${c.expect}" among:\n${summary(vs)}`);
          assert.strictEqual(hit.policy, name);
          assert.strictEqual(hit.level, "mandatory");
          assert.ok(
            /\. [A-Z].*\.( \(.*\))?$/.test(hit.message),
            `message has a remediation sentence: ${hit.message}`,
          );
          if (c.on)
            assert.strictEqual(`${hit.kind} ${hit.namespace ? `${hit.namespace}/` : ""}${hit.name}`, c.on);
        });
      }
    });
  }

  it("parseImage tells a registry port from a tag", () => {
    assert.deepStrictEqual(parseImage("registry:5000/app"), { tag: undefined, digest: undefined });
    assert.deepStrictEqual(parseImage("registry:5000/app:1.2@sha256:ab"), {
      tag: "1.2",
      digest: "sha256:ab",
    });
  });
});
