/**
 * Hand-written connectivity-diff cases: a cluster before and after one change, and the
 * exact `reachability diff` text lines we expect (after the "Connectivity diff:"
 * header; our format, with `[External]`). The unit tests check our output against
 * them; the differential test runs netpol-analyzer `diff` on the same pairs.
 */
import { deploy, netpol, ns } from "./cases";

type Obj = Record<string, unknown>;

export interface DiffCase {
  name: string;
  before: Obj[];
  after: Obj[];
  /** Expected lines (empty: no change). */
  lines: string[];
}

const F = "shop/frontend[Deployment]";
const O = "shop/orders[Deployment]";
const P = "shop/payment[Deployment]";

/** Default-deny shop: frontend -> orders on 8080, orders -> payment on 8080, DNS-free. */
function shop(extra: { orderPorts?: Obj[]; egressOrders?: Obj[]; paymentFrom?: string[] } = {}): Obj[] {
  const allowTo = (name: string, src: string, dst: string, ports: Obj[]): Obj[] => [
    netpol("shop", `${name}-egress`, {
      podSelector: { matchLabels: { app: src } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: { app: dst } } }], ports }],
    }),
    netpol("shop", `${name}-ingress`, {
      podSelector: { matchLabels: { app: dst } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: src } } }], ports }],
    }),
  ];
  const objs: Obj[] = [
    ns("shop"),
    deploy("shop", "frontend", { app: "frontend" }, [{ name: "http", containerPort: 8080 }]),
    deploy("shop", "orders", { app: "orders" }, [{ name: "http", containerPort: 8080 }]),
    deploy("shop", "payment", { app: "payment" }, [{ name: "http", containerPort: 8080 }]),
    netpol("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    ...allowTo(
      "frontend-orders",
      "frontend",
      "orders",
      extra.orderPorts ?? [{ port: 8080, protocol: "TCP" }],
    ),
    ...allowTo("orders-payment", "orders", "payment", [{ port: 8080, protocol: "TCP" }]),
  ];
  for (const src of extra.paymentFrom ?? []) {
    objs.push(...allowTo(`${src}-payment`, src, "payment", [{ port: 8080, protocol: "TCP" }]));
  }
  if (extra.egressOrders) {
    objs.push(
      netpol("shop", "orders-external", {
        podSelector: { matchLabels: { app: "orders" } },
        policyTypes: ["Egress"],
        egress: extra.egressOrders,
      }),
    );
  }
  return objs;
}

export const DIFF_CASES: DiffCase[] = [
  {
    name: "no change: the same manifests",
    before: shop(),
    after: shop(),
    lines: [],
  },
  {
    name: "no change: a different but equivalent policy (named port = its number)",
    before: shop(),
    after: shop({ orderPorts: [{ port: "http", protocol: "TCP" }] }),
    lines: [],
  },
  {
    name: "added edge: frontend -> payment TCP 8080",
    before: shop(),
    after: shop({ paymentFrom: ["frontend"] }),
    lines: [`diff-type: added, source: ${F}, destination: ${P}, dir1: No Connections, dir2: TCP 8080`],
  },
  {
    name: "removed edge: orders -> payment",
    before: shop(),
    after: shop().filter((o) => !String((o.metadata as { name: string }).name).startsWith("orders-payment")),
    lines: [`diff-type: removed, source: ${O}, destination: ${P}, dir1: TCP 8080, dir2: No Connections`],
  },
  {
    name: "widened port: frontend -> orders 8080 becomes 8080-8090",
    before: shop(),
    after: shop({ orderPorts: [{ port: 8080, endPort: 8090, protocol: "TCP" }] }),
    lines: [`diff-type: changed, source: ${F}, destination: ${O}, dir1: TCP 8080, dir2: TCP 8080-8090`],
  },
  {
    name: "new external range: orders may reach 203.0.113.0/24 on 443",
    before: shop(),
    after: shop({
      egressOrders: [
        { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ port: 443, protocol: "TCP" }] },
      ],
    }),
    lines: [
      `diff-type: added, source: ${O}, destination: 203.0.113.0-203.0.113.255[External], dir1: No Connections, dir2: TCP 443`,
    ],
  },
  {
    name: "external range widened with except: merged ranges stay maximal",
    before: shop({
      egressOrders: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
    }),
    after: shop({ egressOrders: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] }),
    lines: [
      `diff-type: added, source: ${O}, destination: 10.1.0.0-10.1.255.255[External], dir1: No Connections, dir2: All Connections`,
    ],
  },
  {
    name: "workload added without policies: open both ways, named in workloads-diff-info",
    before: [ns("a"), deploy("a", "x", { app: "x" })],
    after: [ns("a"), deploy("a", "x", { app: "x" }), deploy("a", "y", { app: "y" })],
    lines: [
      "diff-type: added, source: 0.0.0.0-255.255.255.255[External], destination: a/y[Deployment], dir1: No Connections, dir2: All Connections, workloads-diff-info: workload a/y[Deployment] added",
      "diff-type: added, source: a/x[Deployment], destination: a/y[Deployment], dir1: No Connections, dir2: All Connections, workloads-diff-info: workload a/y[Deployment] added",
      "diff-type: added, source: a/y[Deployment], destination: 0.0.0.0-255.255.255.255[External], dir1: No Connections, dir2: All Connections, workloads-diff-info: workload a/y[Deployment] added",
      "diff-type: added, source: a/y[Deployment], destination: a/x[Deployment], dir1: No Connections, dir2: All Connections, workloads-diff-info: workload a/y[Deployment] added",
    ],
  },
  {
    name: "workload removed, and a port narrowed on another pair",
    before: [
      ns("a"),
      deploy("a", "x", { app: "x" }),
      deploy("a", "y", { app: "y" }),
      netpol("a", "x-in", {
        podSelector: { matchLabels: { app: "x" } },
        ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: "UDP" }] }],
      }),
    ],
    after: [
      ns("a"),
      deploy("a", "x", { app: "x" }),
      netpol("a", "x-in", {
        podSelector: { matchLabels: { app: "x" } },
        ingress: [{ ports: [{ port: 80 }] }],
      }),
    ],
    lines: [
      "diff-type: changed, source: 0.0.0.0-255.255.255.255[External], destination: a/x[Deployment], dir1: TCP 80,UDP 53, dir2: TCP 80",
      "diff-type: removed, source: 0.0.0.0-255.255.255.255[External], destination: a/y[Deployment], dir1: All Connections, dir2: No Connections, workloads-diff-info: workload a/y[Deployment] removed",
      "diff-type: removed, source: a/x[Deployment], destination: a/y[Deployment], dir1: All Connections, dir2: No Connections, workloads-diff-info: workload a/y[Deployment] removed",
      "diff-type: removed, source: a/y[Deployment], destination: 0.0.0.0-255.255.255.255[External], dir1: All Connections, dir2: No Connections, workloads-diff-info: workload a/y[Deployment] removed",
      "diff-type: removed, source: a/y[Deployment], destination: a/x[Deployment], dir1: TCP 80,UDP 53, dir2: No Connections, workloads-diff-info: workload a/y[Deployment] removed",
    ],
  },
];
