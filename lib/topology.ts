/**
 * The topology diagram, derived from the same declaration as the policies: services
 * grouped by cluster and namespace (each namespace a trust boundary with
 * default-deny), edges labelled with protocol and port, external hosts outside.
 * One graph model, two renderings: Mermaid (GitHub and wikis render it) and Graphviz
 * DOT (`dot -Tsvg` turns it into an SVG).
 */
import { PlatformConfig } from "./config";
import { ResolvedApp, namespaceOf } from "./intent";
import { servicesOn } from "./placement";

export interface TopologyNode {
  id: string;
  label: string;
  kind: "ingress" | "service" | "stateful" | "external" | "internet";
}

export interface TopologyGroup {
  id: string;
  label: string;
  nodes: TopologyNode[];
}

export interface TopologyGraph {
  clusters: Array<{ id: string; label: string; groups: TopologyGroup[] }>;
  outside: TopologyNode[];
  edges: Array<{ from: string; to: string; label: string; crossCluster: boolean }>;
}

const id = (...parts: string[]) => parts.join("__").replace(/[^A-Za-z0-9_]/g, "_");

export function topologyGraph(platform: PlatformConfig, app: ResolvedApp): TopologyGraph {
  const mesh = platform.istio.enabled ? ` · mTLS ${platform.istio.mtlsMode}` : "";
  const placement = new Map<string, string[]>();
  const clusters = platform.clusters.map((cluster) => {
    const local = servicesOn(cluster, app);
    const groups: TopologyGroup[] = [
      {
        id: id(cluster.name, "ns", platform.ingress.namespace),
        label: `namespace ${platform.ingress.namespace}`,
        nodes: [
          {
            id: id(cluster.name, "ingress-controller"),
            label: `ingress controller (${platform.ingress.controller})`,
            kind: "ingress",
          },
        ],
      },
    ];
    for (const ns of app.namespaces) {
      const members = app.spec.services.filter((s) => local.has(s.name) && namespaceOf(app.spec, s) === ns);
      if (members.length === 0) continue;
      groups.push({
        id: id(cluster.name, "ns", ns),
        label: `namespace ${ns} · default-deny${mesh}`,
        nodes: members.map((s) => {
          placement.set(s.name, [...(placement.get(s.name) ?? []), cluster.name]);
          return s.stateful
            ? {
                id: id(cluster.name, s.name),
                label: `${s.name} (StatefulSet ×${s.stateful.replicas})`,
                kind: "stateful",
              }
            : { id: id(cluster.name, s.name), label: s.name, kind: "service" };
        }),
      });
    }
    return {
      id: id("cluster", cluster.name),
      label: `cluster ${cluster.name} · ${cluster.cni} · kube-proxy ${cluster.kubeProxyMode}`,
      groups,
    };
  });
  const outside: TopologyNode[] = [
    { id: "internet", label: "Internet", kind: "internet" },
    ...app.spec.externals.map((x) => ({
      id: id("external", x.name),
      label: `${x.host} (external)`,
      kind: "external" as const,
    })),
  ];
  // The Internet reaches the controllers of clusters that serve something from it.
  const served = platform.clusters.filter((c) =>
    app.edges.some((e) => e.source.kind === "ingress-controller" && placement.get(e.to)?.includes(c.name)),
  );
  const edges: TopologyGraph["edges"] = served.map((c) => ({
    from: "internet",
    to: id(c.name, "ingress-controller"),
    label: "HTTPS 443",
    crossCluster: false,
  }));
  for (const e of app.edges) {
    const label = `${e.protocol} ${e.port}`;
    if (e.destination.kind === "external") {
      for (const c of placement.get(e.from) ?? []) {
        edges.push({ from: id(c, e.from), to: id("external", e.to), label, crossCluster: false });
      }
      continue;
    }
    const fromIngress = e.source.kind === "ingress-controller";
    const sources = fromIngress ? platform.clusters.map((c) => c.name) : (placement.get(e.from) ?? []);
    const targets = placement.get(e.to) ?? [];
    for (const c of sources) {
      // The local instance when there is one; otherwise across clusters (never for the
      // ingress controller, which routes only to its own cluster).
      const dests = targets.includes(c) ? [c] : fromIngress ? [] : targets;
      for (const d of dests) {
        edges.push({
          from: id(c, e.from),
          to: id(d, e.to),
          label: d === c ? label : `${label} via Submariner`,
          crossCluster: d !== c,
        });
      }
    }
  }
  return { clusters, outside, edges };
}

const MERMAID_SHAPE: Record<TopologyNode["kind"], (label: string) => string> = {
  internet: (l) => `(("${l}"))`,
  external: (l) => `{{"${l}"}}`,
  stateful: (l) => `[("${l}")]`,
  service: (l) => `["${l}"]`,
  ingress: (l) => `["${l}"]`,
};

export function topologyMermaid(platform: PlatformConfig, app: ResolvedApp): string {
  const g = topologyGraph(platform, app);
  const lines = ["flowchart LR"];
  for (const c of g.clusters) {
    lines.push(`  subgraph ${c.id}["${c.label}"]`);
    for (const grp of c.groups) {
      lines.push(`    subgraph ${grp.id}["${grp.label}"]`);
      for (const n of grp.nodes) lines.push(`      ${n.id}${MERMAID_SHAPE[n.kind](n.label)}`);
      lines.push("    end");
    }
    lines.push("  end");
  }
  for (const n of g.outside) lines.push(`  ${n.id}${MERMAID_SHAPE[n.kind](n.label)}`);
  for (const e of g.edges) lines.push(`  ${e.from} ${e.crossCluster ? "-.->" : "-->"}|"${e.label}"| ${e.to}`);
  return lines.join("\n") + "\n";
}

const DOT_SHAPE: Record<TopologyNode["kind"], string> = {
  internet: "shape=doublecircle",
  external: "shape=hexagon, style=dashed",
  stateful: "shape=cylinder",
  service: "shape=box, style=rounded",
  ingress: "shape=box",
};

const quote = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

export function topologyDot(platform: PlatformConfig, app: ResolvedApp): string {
  const g = topologyGraph(platform, app);
  const lines = [
    "digraph topology {",
    "  rankdir=LR;",
    '  node [fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const c of g.clusters) {
    lines.push(`  subgraph cluster_${c.id} {`, `    label=${quote(c.label)}; style=bold;`);
    for (const grp of c.groups) {
      // A namespace is a trust boundary: drawn as a dashed box inside its cluster.
      lines.push(`    subgraph cluster_${grp.id} {`, `      label=${quote(grp.label)}; style=dashed;`);
      for (const n of grp.nodes) lines.push(`      ${n.id} [label=${quote(n.label)}, ${DOT_SHAPE[n.kind]}];`);
      lines.push("    }");
    }
    lines.push("  }");
  }
  for (const n of g.outside) lines.push(`  ${n.id} [label=${quote(n.label)}, ${DOT_SHAPE[n.kind]}];`);
  for (const e of g.edges) {
    lines.push(`  ${e.from} -> ${e.to} [label=${quote(e.label)}${e.crossCluster ? ", style=dashed" : ""}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
