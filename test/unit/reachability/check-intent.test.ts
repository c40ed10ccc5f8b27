import * as assert from "assert";
import { checkIntent, formatIntentTable, type IntentFinding } from "../../../policy-pack/reachability";
import type { IntentDocument } from "@k8s-netplat/contract";
import { deploy, netpol, ns } from "./cases";

const intent: IntentDocument = {
  version: 1,
  appNamespaces: ["shop"],
  peers: {
    ingress: {
      kind: "workload",
      namespace: "ingress-nginx",
      podLabels: { "app.kubernetes.io/name": "ingress-nginx" },
    },
    frontend: { kind: "workload", namespace: "shop", podLabels: { app: "frontend" } },
    orders: { kind: "workload", namespace: "shop", podLabels: { app: "orders" } },
    payment: { kind: "workload", namespace: "shop", podLabels: { app: "payment" } },
    dns: { kind: "workload", namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
    psp: { kind: "external", host: "api.psp.example", cidrs: ["203.0.113.0/24"] },
  },
  edges: [
    { from: "ingress", to: "frontend", port: 8080, protocol: "TCP", origin: "platform" },
    { from: "frontend", to: "orders", port: 8080, protocol: "TCP", origin: "app" },
    { from: "orders", to: "payment", port: 8443, protocol: "TCP", origin: "app" },
    { from: "payment", to: "psp", port: 443, protocol: "TCP", origin: "app" },
    { from: "frontend", to: "dns", port: 53, protocol: "UDP", origin: "platform" },
    { from: "orders", to: "dns", port: 53, protocol: "UDP", origin: "platform" },
    { from: "payment", to: "dns", port: 53, protocol: "UDP", origin: "platform" },
  ],
};

const dnsRule = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [{ port: 53, protocol: "UDP" }],
};
const allow = (name: string, app: string, from: Record<string, unknown>, port: number) =>
  netpol("shop", name, {
    podSelector: { matchLabels: { app } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [from], ports: [{ port }] }],
  });
const egress = (name: string, app: string, to: Record<string, unknown>[]) =>
  netpol("shop", name, { podSelector: { matchLabels: { app } }, policyTypes: ["Egress"], egress: to });

/** The shop as the intent wants it: ingress controller and kube-dns not rendered. */
function shop(): Record<string, unknown>[] {
  return [
    ns("shop"),
    deploy("shop", "frontend", { app: "frontend" }, [{ name: "http", containerPort: 8080 }]),
    deploy("shop", "orders", { app: "orders" }, [{ name: "http", containerPort: 8080 }]),
    deploy("shop", "payment", { app: "payment" }, [{ name: "https", containerPort: 8443 }]),
    netpol("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    netpol("shop", "dns", { podSelector: {}, policyTypes: ["Egress"], egress: [dnsRule] }),
    allow(
      "frontend-in",
      "frontend",
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
      },
      8080,
    ),
    allow("orders-in", "orders", { podSelector: { matchLabels: { app: "frontend" } } }, 8080),
    allow("payment-in", "payment", { podSelector: { matchLabels: { app: "orders" } } }, 8443),
    egress("frontend-out", "frontend", [
      { to: [{ podSelector: { matchLabels: { app: "orders" } } }], ports: [{ port: 8080 }] },
    ]),
    egress("orders-out", "orders", [
      { to: [{ podSelector: { matchLabels: { app: "payment" } } }], ports: [{ port: 8443 }] },
    ]),
    egress("payment-out", "payment", [
      { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ port: 443 }] },
    ]),
  ];
}

describe("checkIntent", () => {
  it("finds nothing when the policies match the intent exactly (synthetic ingress controller and kube-dns)", () => {
    assert.deepStrictEqual(checkIntent(shop(), intent), []);
  });

  it("reports an intended edge the policies block, naming the pair", () => {
    const objs = shop().filter((o) => (o.metadata as { name: string }).name !== "orders-out");
    const f = checkIntent(objs, intent);
    assert.deepStrictEqual(
      f.map((x) => (x.kind === "blocked" ? `${x.edge.from}->${x.edge.to} ${x.src} => ${x.dst}` : x.kind)),
      ["orders->payment shop/orders[Deployment] => shop/payment[Deployment]"],
    );
  });

  it("reports a pair allowed beyond the intent with its ports and the allowing rules", () => {
    const objs = [
      ...shop(),
      netpol("shop", "too-wide", {
        podSelector: { matchLabels: { app: "payment" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8443 }, { port: 9090 }] }],
      }),
    ];
    const f = checkIntent(objs, intent).filter(
      (x): x is Extract<IntentFinding, { kind: "unintended" }> => x.kind === "unintended",
    );
    // frontend has no egress to payment, so only orders gains (9090) through the wide rule.
    assert.deepStrictEqual(f, []);
    const objs2 = [...objs, egress("orders-wide", "orders", [{ to: [{ podSelector: {} }] }])];
    const f2 = checkIntent(objs2, intent).filter((x) => x.kind === "unintended");
    assert.deepStrictEqual(f2, [
      {
        kind: "unintended",
        src: "shop/orders[Deployment]",
        dst: "shop/payment[Deployment]",
        conn: "TCP 9090",
        allowedBy: "egress: shop/orders-wide egress[0]; ingress: shop/too-wide ingress[0]",
      },
    ]);
  });

  it("counts external ranges and pods outside app namespaces when the other end is in one", () => {
    const objs = shop().filter(
      (o) => !["default-deny", "orders-in"].includes((o.metadata as { name: string }).name),
    );
    const f = checkIntent(objs, intent);
    const text = f.map((x) => (x.kind === "unintended" ? `${x.src} => ${x.dst} : ${x.conn}` : "")).join("\n");
    assert.match(
      text,
      /0\.0\.0\.0-203\.0\.112\.255\[External\] => shop\/orders\[Deployment\] : All Connections/,
    );
    assert.match(text, /kube-system\/dns\[IntentPeer\] => shop\/orders\[Deployment\] : All Connections/);
    assert.ok(!f.some((x) => x.kind === "blocked"));
  });

  it("formats the intent vs actual table: a row per intended edge with its verdict, then a row per unintended pair", () => {
    const objs = [
      ...shop().filter((o) => (o.metadata as { name: string }).name !== "orders-out"),
      egress("frontend-to-payment", "frontend", [
        { to: [{ podSelector: { matchLabels: { app: "payment" } } }], ports: [{ port: 8443 }] },
      ]),
      allow("payment-from-frontend", "payment", { podSelector: { matchLabels: { app: "frontend" } } }, 8443),
    ];
    const rows = formatIntentTable(checkIntent(objs, intent), intent).split("\n");
    assert.deepStrictEqual(rows, [
      "| edge | intended | allowed | verdict |",
      "| --- | --- | --- | --- |",
      "| ingress → frontend (platform) | TCP 8080 | yes | ok |",
      "| frontend → orders (app) | TCP 8080 | yes | ok |",
      "| orders → payment (app) | TCP 8443 | no: shop/orders[Deployment] => shop/payment[Deployment] | BLOCKED |",
      "| payment → psp (app) | TCP 443 | yes | ok |",
      "| frontend → dns (platform) | UDP 53 | yes | ok |",
      "| orders → dns (platform) | UDP 53 | yes | ok |",
      "| payment → dns (platform) | UDP 53 | yes | ok |",
      "| shop/frontend[Deployment] → shop/payment[Deployment] | none | TCP 8443 | UNINTENDED (egress: shop/frontend-to-payment egress[0]; ingress: shop/payment-from-frontend ingress[0]) |",
      "",
    ]);
  });
});
