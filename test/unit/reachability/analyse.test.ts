import * as assert from "assert";
import { analyse, ConnSet, formatConnectionsText } from "../../../policy-pack/reachability";
import { CASES, deploy, netpol, ns } from "./cases";

function lines(objects: unknown[]): string[] {
  return formatConnectionsText(analyse(objects).connections()).split("\n").filter(Boolean);
}

describe("reachability analyser", () => {
  describe("hand-written cases", () => {
    for (const c of CASES) {
      it(c.name, () => {
        if (c.error) {
          assert.throws(() => analyse(c.objects).connections(), c.error);
        } else {
          assert.deepStrictEqual(lines(c.objects), c.lines);
        }
      });
    }
  });

  it("is not fooled by pod order: replicas and pods of one owner are one peer, self-pairs omitted", () => {
    const pod = (name: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: "a",
        labels: { app: "w" },
        ownerReferences: [
          { kind: "ReplicaSet", name: "w-1", controller: true, apiVersion: "apps/v1", uid: "u" },
        ],
      },
      spec: { containers: [{ name: "c", image: "i", ports: [{ name: "p", containerPort: 1 }] }] },
    });
    assert.deepStrictEqual(lines([pod("w-1-a"), pod("w-1-b")]), [
      "0.0.0.0-255.255.255.255[External] => a/w-1[ReplicaSet] : All Connections",
      "a/w-1[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
    ]);
  });

  it("refuses pods of one owner with different labels", () => {
    const pod = (name: string, app: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: "a",
        labels: { app },
        ownerReferences: [{ kind: "Job", name: "j", controller: true }],
      },
    });
    assert.throws(
      () => analyse([pod("j-1", "x"), pod("j-2", "y")]),
      /Pod a\/j-2: its labels differ.*a\/j\[Job\]/,
    );
  });

  it("flattens List kinds", () => {
    const l = {
      apiVersion: "v1",
      kind: "List",
      items: [deploy("a", "x", { app: "x" }), deploy("a", "y", { app: "y" })],
    };
    assert.strictEqual(lines([l]).length, 6);
  });

  it("explains a pair with the policies and rules on both sides", () => {
    const r = analyse(CASES[1].objects);
    const e = r.explainPair("shop/frontend[Deployment]", "shop/orders[Deployment]");
    assert.strictEqual(e.conn.toString(), "TCP 8080");
    const text = e.lines.join("\n");
    assert.match(text, /egress of shop\/frontend\[Deployment\]: isolated by shop\/deny, shop\/frontend-out/);
    assert.match(text, /shop\/frontend-out egress\[0\]: allows TCP 8080/);
    assert.match(text, /shop\/orders-in ingress\[0\]: allows TCP 8080/);
    const denied = r.explainPair("shop/orders[Deployment]", "shop/frontend[Deployment]");
    assert.ok(denied.conn.isEmpty());
    assert.match(denied.lines.join("\n"), /shop\/deny: no egress rules/);
    assert.throws(
      () => r.explainPair("shop/nope[Deployment]", "shop/orders[Deployment]"),
      /unknown source peer/,
    );
  });

  it("extraCidrs cut the external space so intent CIDRs are unions of ranges", () => {
    const r = analyse([ns("a"), deploy("a", "x", { app: "x" })], { extraCidrs: ["203.0.113.0/24"] });
    assert.deepStrictEqual(
      r.dstExternal.map((e) => e.id),
      [
        "0.0.0.0-203.0.112.255[External]",
        "203.0.113.0-203.0.113.255[External]",
        "203.0.114.0-255.255.255.255[External]",
      ],
    );
  });

  it("ConnSet prints like netpol-analyzer", () => {
    const c = ConnSet.ports("UDP", 53)
      .union(ConnSet.ports("TCP", 8080))
      .union(ConnSet.ports("TCP", 9000, 9010))
      .union(ConnSet.ports("SCTP", 7));
    assert.strictEqual(c.toString(), "SCTP 7,TCP 8080,9000-9010,UDP 53");
    assert.strictEqual(
      ConnSet.allPorts("TCP").union(ConnSet.allPorts("UDP")).union(ConnSet.allPorts("SCTP")).toString(),
      "All Connections",
    );
    assert.strictEqual(
      ConnSet.allPorts("TCP")
        .subtract(ConnSet.ports("TCP", 2, 65535))
        .toString(),
      "TCP 1",
    );
  });

  it("scales with distinct label sets, not pods", function () {
    this.timeout(20000);
    const objs: unknown[] = [ns("big")];
    for (let i = 0; i < 2000; i++)
      objs.push(deploy("big", `w${i}`, { app: `a${i % 20}` }, [], i % 2 ? "Job" : "Deployment"));
    objs.push(netpol("big", "deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }));
    for (let i = 0; i < 20; i++) {
      objs.push(
        netpol("big", `a${i}`, {
          podSelector: { matchLabels: { app: `a${i}` } },
          egress: [
            { to: [{ podSelector: { matchLabels: { app: `a${(i + 1) % 20}` } } }], ports: [{ port: 80 }] },
          ],
        }),
      );
    }
    const t0 = Date.now();
    const r = analyse(objs);
    assert.strictEqual(r.classes.length, 20);
    assert.strictEqual(r.connections().length, 0); // egress allowed, ingress denied everywhere
    assert.ok(Date.now() - t0 < 10000);
  });

  it("rejects bad input naming the object and field", () => {
    assert.throws(
      () => analyse([netpol("a", "p", { podSelector: {}, policyTypes: ["Both"] })]),
      /NetworkPolicy a\/p: spec\.policyTypes\[0\]: must be Ingress or Egress/,
    );
    assert.throws(
      () =>
        analyse([
          netpol("a", "p", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }] }),
        ]),
      /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: "10\.0\.0\.0\/33" is not a valid IPv4 CIDR/,
    );
    assert.throws(
      () =>
        analyse([
          netpol("a", "p", {
            podSelector: {},
            ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["11.0.0.0/24"] } }] }],
          }),
        ]),
      /ipBlock\.except\[0\]: 11\.0\.0\.0\/24 is not within cidr 10\.0\.0\.0\/16/,
    );
    assert.throws(
      () =>
        analyse([
          netpol("a", "p", { podSelector: {}, ingress: [{ ports: [{ port: "http", endPort: 90 }] }] }),
        ]),
      /ports\[0\]\.endPort: endPort cannot be used with the named port "http"/,
    );
    assert.throws(() => analyse([netpol("a", "p", {})]), /NetworkPolicy a\/p: spec\.podSelector is required/);
  });
});
