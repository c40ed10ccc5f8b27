/**
 * Hand-written cases: each a small cluster and the exact `list` lines we expect
 * (our format, with `[External]`). The unit tests check our output against them; the
 * differential test runs netpol-analyzer on the same objects.
 */
type Obj = Record<string, unknown>;

export function ns(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export function deploy(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: { name?: string; containerPort: number; protocol?: string }[] = [],
  kind = "Deployment",
): Obj {
  const template = { metadata: { labels }, spec: { containers: [{ name: "c", image: "img", ports }] } };
  if (kind === "Pod") {
    return { apiVersion: "v1", kind, metadata: { name, namespace, labels }, spec: template.spec };
  }
  if (kind === "CronJob") {
    return {
      apiVersion: "batch/v1",
      kind,
      metadata: { name, namespace },
      spec: { schedule: "* * * * *", jobTemplate: { spec: { template } } },
    };
  }
  const apiVersion = kind === "Job" ? "batch/v1" : "apps/v1";
  return {
    apiVersion,
    kind,
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template },
  };
}

export function netpol(namespace: string, name: string, spec: Obj): Obj {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

export interface Case {
  name: string;
  objects: Obj[];
  /** Our expected output lines (all of them). */
  lines?: string[];
  /** Our expected error. */
  error?: RegExp;
  /** Id of the documented difference with netpol-analyzer (docs/reachability.md), if any. */
  knownDifference?: string;
}

const A = "All Connections";
const shopBase = (): Obj[] => [
  ns("shop", { team: "shop" }),
  deploy("shop", "frontend", { app: "frontend" }, [{ name: "http", containerPort: 8080 }]),
  deploy("shop", "orders", { app: "orders" }, [
    { name: "http", containerPort: 8080 },
    { name: "metrics", containerPort: 9090 },
  ]),
];

export const CASES: Case[] = [
  {
    name: "no policies: everything open, external space whole",
    objects: shopBase(),
    lines: [
      `0.0.0.0-255.255.255.255[External] => shop/frontend[Deployment] : ${A}`,
      `0.0.0.0-255.255.255.255[External] => shop/orders[Deployment] : ${A}`,
      `shop/frontend[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `shop/frontend[Deployment] => shop/orders[Deployment] : ${A}`,
      `shop/orders[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `shop/orders[Deployment] => shop/frontend[Deployment] : ${A}`,
    ],
  },
  {
    name: "default deny ingress and egress, allow frontend -> orders http (named port)",
    objects: [
      ...shopBase(),
      netpol("shop", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      netpol("shop", "orders-in", {
        podSelector: { matchLabels: { app: "orders" } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: "frontend" } } }], ports: [{ port: "http" }] },
        ],
      }),
      netpol("shop", "frontend-out", {
        podSelector: { matchLabels: { app: "frontend" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: { app: "orders" } } }], ports: [{ port: 8080 }] }],
      }),
    ],
    lines: ["shop/frontend[Deployment] => shop/orders[Deployment] : TCP 8080"],
  },
  {
    name: "policyTypes default: egress rules make a policy egress-isolating, ingress always",
    objects: [
      ...shopBase(),
      netpol("shop", "f", {
        podSelector: { matchLabels: { app: "frontend" } },
        egress: [{ to: [{ podSelector: {} }], ports: [{ port: 9090 }] }],
      }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => shop/orders[Deployment] : ${A}`,
      "shop/frontend[Deployment] => shop/orders[Deployment] : TCP 9090",
      `shop/orders[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
    ],
  },
  {
    name: "ipBlock with except cuts the external space; pods are not matched by ipBlock",
    objects: [
      ...shopBase(),
      netpol("shop", "orders-in", {
        podSelector: { matchLabels: { app: "orders" } },
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
      }),
    ],
    lines: [
      `0.0.0.0-9.255.255.255[External] => shop/frontend[Deployment] : ${A}`,
      `10.0.0.0-10.0.255.255[External] => shop/frontend[Deployment] : ${A}`,
      `10.0.0.0-10.0.255.255[External] => shop/orders[Deployment] : ${A}`,
      `10.1.0.0-10.1.255.255[External] => shop/frontend[Deployment] : ${A}`,
      `10.2.0.0-10.255.255.255[External] => shop/frontend[Deployment] : ${A}`,
      `10.2.0.0-10.255.255.255[External] => shop/orders[Deployment] : ${A}`,
      `11.0.0.0-255.255.255.255[External] => shop/frontend[Deployment] : ${A}`,
      `shop/frontend[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `shop/orders[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `shop/orders[Deployment] => shop/frontend[Deployment] : ${A}`,
    ],
  },
  {
    name: "egress to an address: protocols, endPort ranges, SCTP",
    objects: [
      ns("a"),
      deploy("a", "client", { app: "client" }),
      netpol("a", "out", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ ipBlock: { cidr: "8.8.8.8/32" } }],
            ports: [
              { port: 53, protocol: "UDP" },
              { port: 53 },
              { port: 4317, endPort: 4318 },
              { protocol: "SCTP", port: 7 },
            ],
          },
        ],
      }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => a/client[Deployment] : ${A}`,
      "a/client[Deployment] => 8.8.8.8-8.8.8.8[External] : SCTP 7,TCP 53,4317-4318,UDP 53",
    ],
  },
  {
    name: "podSelector only = policy's namespace; namespaceSelector only = all pods there; both = AND",
    objects: [
      ns("a", { team: "red" }),
      ns("b", { team: "red" }),
      ns("c", { team: "blue" }),
      deploy("a", "x", { app: "x" }),
      deploy("a", "tgt", { app: "tgt" }),
      deploy("b", "x", { app: "x" }),
      deploy("b", "y", { app: "y" }),
      deploy("c", "x", { app: "x" }),
      netpol("a", "tgt-in", {
        podSelector: { matchLabels: { app: "tgt" } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: "x" } } }], ports: [{ port: 1 }] },
          { from: [{ namespaceSelector: { matchLabels: { team: "blue" } } }], ports: [{ port: 2 }] },
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: "red" } },
                podSelector: { matchLabels: { app: "y" } },
              },
            ],
            ports: [{ port: 3 }],
          },
        ],
      }),
      netpol("a", "x-out", { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Egress"] }),
      netpol("b", "out", { podSelector: {}, policyTypes: ["Egress"] }),
      netpol("c", "out", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "a" } } }] }],
      }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => a/x[Deployment] : ${A}`,
      `0.0.0.0-255.255.255.255[External] => b/x[Deployment] : ${A}`,
      `0.0.0.0-255.255.255.255[External] => b/y[Deployment] : ${A}`,
      `0.0.0.0-255.255.255.255[External] => c/x[Deployment] : ${A}`,
      `a/tgt[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `a/tgt[Deployment] => a/x[Deployment] : ${A}`,
      `a/tgt[Deployment] => b/x[Deployment] : ${A}`,
      `a/tgt[Deployment] => b/y[Deployment] : ${A}`,
      `a/tgt[Deployment] => c/x[Deployment] : ${A}`,
      `c/x[Deployment] => a/tgt[Deployment] : TCP 2`,
      `c/x[Deployment] => a/x[Deployment] : ${A}`,
    ],
  },
  {
    name: "matchExpressions In/NotIn/Exists/DoesNotExist; empty namespaceSelector = all namespaces",
    objects: [
      ns("a"),
      ns("b"),
      deploy("a", "db", { app: "db" }),
      deploy("a", "p1", { app: "p1", tier: "fe" }),
      deploy("b", "p2", { app: "p2", tier: "be", canary: "1" }),
      deploy("b", "p3", { app: "p3" }),
      netpol("a", "db-in", {
        podSelector: { matchLabels: { app: "db" } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: {},
                podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["fe", "be"] }] },
              },
            ],
            ports: [{ port: 5432 }],
          },
          {
            from: [
              {
                namespaceSelector: {},
                podSelector: {
                  matchExpressions: [
                    { key: "tier", operator: "NotIn", values: ["fe"] },
                    { key: "canary", operator: "DoesNotExist" },
                  ],
                },
              },
            ],
            ports: [{ port: 6000 }],
          },
          {
            from: [
              {
                namespaceSelector: {},
                podSelector: { matchExpressions: [{ key: "canary", operator: "Exists" }] },
              },
            ],
            ports: [{ port: 7000 }],
          },
        ],
      }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => a/p1[Deployment] : ${A}`,
      `0.0.0.0-255.255.255.255[External] => b/p2[Deployment] : ${A}`,
      `0.0.0.0-255.255.255.255[External] => b/p3[Deployment] : ${A}`,
      `a/db[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `a/db[Deployment] => a/p1[Deployment] : ${A}`,
      `a/db[Deployment] => b/p2[Deployment] : ${A}`,
      `a/db[Deployment] => b/p3[Deployment] : ${A}`,
      `a/p1[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `a/p1[Deployment] => a/db[Deployment] : TCP 5432`,
      `a/p1[Deployment] => b/p2[Deployment] : ${A}`,
      `a/p1[Deployment] => b/p3[Deployment] : ${A}`,
      `b/p2[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `b/p2[Deployment] => a/db[Deployment] : TCP 5432,7000`,
      `b/p2[Deployment] => a/p1[Deployment] : ${A}`,
      `b/p2[Deployment] => b/p3[Deployment] : ${A}`,
      `b/p3[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `b/p3[Deployment] => a/db[Deployment] : TCP 6000`,
      `b/p3[Deployment] => a/p1[Deployment] : ${A}`,
      `b/p3[Deployment] => b/p2[Deployment] : ${A}`,
    ],
  },
  {
    name: "named ports resolve per destination and per protocol; unknown names allow nothing",
    objects: [
      ns("a"),
      deploy("a", "client", { app: "client" }),
      deploy("a", "web", { role: "srv", app: "web" }, [{ name: "http", containerPort: 8080 }]),
      deploy("a", "api", { role: "srv", app: "api" }, [
        { name: "http", containerPort: 9000 },
        { name: "dns", containerPort: 53, protocol: "UDP" },
      ]),
      deploy("a", "cache", { role: "srv", app: "cache" }, [{ name: "cache", containerPort: 6379 }]),
      netpol("a", "srv-in", {
        podSelector: { matchLabels: { role: "srv" } },
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: "client" } } }],
            ports: [{ port: "http" }, { port: "dns" }, { port: "dns", protocol: "UDP" }],
          },
        ],
      }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => a/client[Deployment] : ${A}`,
      `a/api[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `a/api[Deployment] => a/client[Deployment] : ${A}`,
      `a/cache[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `a/cache[Deployment] => a/client[Deployment] : ${A}`,
      `a/client[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      "a/client[Deployment] => a/api[Deployment] : TCP 9000,UDP 53",
      "a/client[Deployment] => a/web[Deployment] : TCP 8080",
      `a/web[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
      `a/web[Deployment] => a/client[Deployment] : ${A}`,
    ],
  },
  {
    name: "workload kinds and owners; undeclared namespaces carry kubernetes.io/metadata.name",
    objects: [
      deploy("j", "job", { app: "job" }, [], "Job"),
      deploy("j", "cron", { app: "cron" }, [], "CronJob"),
      deploy("k", "ds", { app: "ds" }, [], "DaemonSet"),
      deploy("k", "sts", { app: "sts" }, [], "StatefulSet"),
      deploy("k", "rs", { app: "rs" }, [], "ReplicaSet"),
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "owned-abc",
          namespace: "k",
          labels: { app: "owned" },
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "owned", controller: true, uid: "1" },
          ],
        },
        spec: { containers: [{ name: "c", image: "img" }] },
      },
      netpol("k", "in", {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "j" } } }] }],
      }),
      netpol("j", "in", { podSelector: {}, policyTypes: ["Ingress"] }),
    ],
    lines: [
      "j/cron[CronJob] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "j/cron[CronJob] => k/ds[DaemonSet] : All Connections",
      "j/cron[CronJob] => k/owned[ReplicaSet] : All Connections",
      "j/cron[CronJob] => k/rs[ReplicaSet] : All Connections",
      "j/cron[CronJob] => k/sts[StatefulSet] : All Connections",
      "j/job[Job] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "j/job[Job] => k/ds[DaemonSet] : All Connections",
      "j/job[Job] => k/owned[ReplicaSet] : All Connections",
      "j/job[Job] => k/rs[ReplicaSet] : All Connections",
      "j/job[Job] => k/sts[StatefulSet] : All Connections",
      "k/ds[DaemonSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "k/owned[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "k/rs[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
      "k/sts[StatefulSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
    ],
  },
  {
    name: "union of a port range with a whole protocol (netpol-analyzer loses the overlap)",
    objects: [
      ns("a"),
      ns("b"),
      deploy("a", "src", { app: "src" }),
      deploy("b", "dst", { app: "dst" }),
      netpol("a", "eg", {
        podSelector: {},
        egress: [{ ports: [{ port: 9000, endPort: 9100 }, { protocol: "TCP" }] }],
      }),
      netpol("b", "in", { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 9050 }] }] }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => b/dst[Deployment] : TCP 8000-9050`,
      "a/src[Deployment] => 0.0.0.0-255.255.255.255[External] : TCP 1-65535",
      "a/src[Deployment] => b/dst[Deployment] : TCP 8000-9050",
      `b/dst[Deployment] => 0.0.0.0-255.255.255.255[External] : ${A}`,
    ],
    knownDifference: "D1",
  },
  {
    name: "named port on egress to an address matches nothing (netpol-analyzer refuses the input)",
    objects: [
      ns("a"),
      deploy("a", "src", { app: "src" }, [{ name: "http", containerPort: 8080 }]),
      netpol("a", "eg", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "1.2.3.0/24" } }], ports: [{ port: "http" }, { port: 443 }] }],
      }),
    ],
    lines: [
      `0.0.0.0-255.255.255.255[External] => a/src[Deployment] : ${A}`,
      "a/src[Deployment] => 1.2.3.0-1.2.3.255[External] : TCP 443",
    ],
    knownDifference: "D2",
  },
  // Bad input: an Error naming the object and field.
  {
    name: "unknown selector operator",
    objects: [
      netpol("a", "bad", {
        podSelector: { matchExpressions: [{ key: "app", operator: "Is", values: ["x"] }] },
      }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /NetworkPolicy a\/bad: spec\.podSelector\.matchExpressions\[0\]\.operator: unknown operator "Is"/,
  },
  {
    name: "In without values",
    objects: [
      netpol("a", "bad", {
        podSelector: {},
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "app", operator: "In" }] } }] }],
      }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /NetworkPolicy a\/bad: spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchExpressions\[0\]\.values/,
    knownDifference: "D4",
  },
  {
    name: "endPort without port",
    objects: [
      netpol("a", "bad", { podSelector: {}, ingress: [{ ports: [{ endPort: 90 }] }] }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /NetworkPolicy a\/bad: spec\.ingress\[0\]\.ports\[0\]\.endPort: endPort needs port/,
    knownDifference: "D3",
  },
  {
    name: "ipBlock together with a selector in one peer",
    objects: [
      netpol("a", "bad", {
        podSelector: {},
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }],
      }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /NetworkPolicy a\/bad: spec\.egress\[0\]\.to\[0\]: ipBlock cannot be combined/,
  },
  {
    name: "malformed selector (matchLabels value not a string)",
    objects: [
      netpol("a", "bad", { podSelector: { matchLabels: { app: 3 } } }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /NetworkPolicy a\/bad: spec\.podSelector\.matchLabels\.app: value must be a string/,
  },
  {
    name: "empty peer",
    objects: [
      netpol("a", "bad", { podSelector: {}, ingress: [{ from: [{}] }] }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /spec\.ingress\[0\]\.from\[0\]: a peer needs podSelector, namespaceSelector or ipBlock/,
  },
  {
    name: "endPort below port",
    objects: [
      netpol("a", "bad", { podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }),
      deploy("a", "x", { app: "x" }),
    ],
    error: /spec\.ingress\[0\]\.ports\[0\]\.endPort: must be an integer from port \(90\)/,
  },
];
