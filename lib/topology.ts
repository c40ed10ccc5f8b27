/**
 * The topology diagram, derived from the same declaration as the policies: services
 * grouped by cluster and namespace (each namespace a trust boundary with
 * default-deny), edges labelled with protocol and port, external hosts outside.
 * Output is Mermaid flowchart text, which GitHub and most wikis render.
 */
import { PlatformConfig } from "./config";
import { ResolvedApp } from "./intent";
import { servicesOn } from "./placement";

const id = (...parts: string[]) => parts.join("__").replace(/[^A-Za-z0-9_]/g, "_");

export function topologyMermaid(platform: PlatformConfig, app: ResolvedApp): string {
  const lines = ["flowchart LR", '  internet(("Internet"))'];
  const mesh = platform.istio.enabled ? ` · mTLS ${platform.istio.mtlsMode}` : "";
  const placement = new Map<string, string[]>();
  for (const cluster of platform.clusters) {
    const local = servicesOn(cluster, app);
    lines.push(
      `  subgraph ${id("cluster", cluster.name)}["cluster ${cluster.name} · ${cluster.cni} · kube-proxy ${cluster.kubeProxyMode}"]`,
    );
    lines.push(
      `    subgraph ${id(cluster.name, "ns", platform.ingress.namespace)}["namespace ${platform.ingress.namespace}"]`,
    );
    lines.push(
      `      ${id(cluster.name, "ingress-controller")}["ingress controller (${platform.ingress.controller})"]`,
    );
    lines.push("    end");
    for (const ns of app.namespaces) {
      const members = app.spec.services.filter(
        (s) => local.has(s.name) && (s.namespace ?? app.spec.namespace) === ns,
      );
      if (members.length === 0) continue;
      lines.push(`    subgraph ${id(cluster.name, "ns", ns)}["namespace ${ns} · default-deny${mesh}"]`);
      for (const s of members) {
        const shape = s.stateful ? `[("${s.name} (StatefulSet ×${s.stateful.replicas})")]` : `["${s.name}"]`;
        lines.push(`      ${id(cluster.name, s.name)}${shape}`);
        placement.set(s.name, [...(placement.get(s.name) ?? []), cluster.name]);
      }
      lines.push("    end");
    }
    lines.push("  end");
  }
  for (const x of app.spec.externals) lines.push(`  ${id("external", x.name)}{{"${x.host} (external)"}}`);
  for (const cluster of platform.clusters) {
    lines.push(`  internet -->|"HTTPS 443"| ${id(cluster.name, "ingress-controller")}`);
  }
  for (const e of app.edges) {
    const label = `${e.protocol} ${e.port}`;
    if (e.destination.kind === "external") {
      for (const c of placement.get(e.from) ?? [])
        lines.push(`  ${id(c, e.from)} -->|"${label}"| ${id("external", e.to)}`);
      continue;
    }
    const sources =
      e.source.kind === "ingress-controller"
        ? platform.clusters.map((c) => c.name)
        : (placement.get(e.from) ?? []);
    const targets = placement.get(e.to) ?? [];
    for (const c of sources) {
      // Prefer the local instance; cross the cluster boundary only when there is none.
      const dests = targets.includes(c) ? [c] : e.source.kind === "ingress-controller" ? [] : targets;
      for (const d of dests) {
        const via = d === c ? label : `${label} via Submariner`;
        lines.push(`  ${id(c, e.from)} -->|"${via}"| ${id(d, e.to)}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}
