/**
 * The config side of egress by name (lib/addons/istio-egress.ts): the mesh's
 * outboundTrafficPolicy, whether the app's external hosts leave through an Istio egress
 * gateway, and what a stack must give for either to work. Kept apart from
 * lib/addons/istio-egress.ts so lib/config.ts can call it without an import cycle.
 */
import { isIP } from "net";
import type { AppSpec } from "./app-spec";

/** Istio's meshConfig.outboundTrafficPolicy.mode values. */
export const OUTBOUND_TRAFFIC_POLICIES = ["REGISTRY_ONLY", "ALLOW_ANY"] as const;
export type OutboundTrafficPolicy = (typeof OUTBOUND_TRAFFIC_POLICIES)[number];

/** The parts of the platform config these checks read. */
export interface EgressConfig {
  environment: "dev" | "prod";
  istio: { enabled: boolean; outboundTrafficPolicy?: OutboundTrafficPolicy; egressGateway?: boolean };
}

const KEY = "platform";

/** The mesh's outbound policy, or undefined without a mesh. Default: REGISTRY_ONLY in prod, ALLOW_ANY in dev. */
export function outboundTrafficPolicy(platform: EgressConfig): OutboundTrafficPolicy | undefined {
  if (!platform.istio.enabled) return undefined;
  return (
    platform.istio.outboundTrafficPolicy ?? (platform.environment === "prod" ? "REGISTRY_ONLY" : "ALLOW_ANY")
  );
}

/** Whether an egress gateway carries the app's external calls (default: in prod, when the mesh is on). */
export function egressGatewayOn(platform: EgressConfig): boolean {
  return platform.istio.enabled && (platform.istio.egressGateway ?? platform.environment === "prod");
}

/** Whether the mesh must know the app's external hosts by name (a ServiceEntry each). */
export function externalsByName(platform: EgressConfig): boolean {
  return egressGatewayOn(platform) || outboundTrafficPolicy(platform) === "REGISTRY_ONLY";
}

/** A host a ServiceEntry can name and TLS's SNI can carry: a DNS name, not an IP address or wildcard. */
function routableByName(host: string): boolean {
  return isIP(host) === 0 && /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host.toLowerCase());
}

/**
 * Config problems of egress by name, for lib/config.ts: keys that have no effect without
 * Istio, ALLOW_ANY in prod, and external hosts the mesh cannot name. Each names the key
 * and what would be accepted.
 */
export function egressProblems(platform: EgressConfig, app: AppSpec, raw: unknown): string[] {
  const problems: string[] = [];
  const istio = (raw as { istio?: Record<string, unknown> } | undefined)?.istio;
  if (!platform.istio.enabled) {
    if (istio?.egressGateway === true) {
      problems.push(
        `${KEY}.istio.egressGateway: the egress gateway is an Istio gateway and has no effect with istio.enabled: false; ` +
          "remove it or enable Istio (without Istio the app's external calls are allowed by address, app.externalCidrs)",
      );
    }
    if (istio?.outboundTrafficPolicy !== undefined) {
      problems.push(
        `${KEY}.istio.outboundTrafficPolicy: has no effect with istio.enabled: false; remove it or enable Istio`,
      );
    }
    return problems;
  }
  if (platform.environment === "prod" && outboundTrafficPolicy(platform) !== "REGISTRY_ONLY") {
    problems.push(
      `${KEY}.istio.outboundTrafficPolicy: prod accepts only REGISTRY_ONLY (got ${outboundTrafficPolicy(platform)}): ` +
        "every host the app calls is named by a ServiceEntry (app.externalHosts), nothing else leaves the mesh",
    );
  }
  if (!externalsByName(platform)) return problems;
  const why = egressGatewayOn(platform)
    ? "the egress gateway routes it by TLS SNI (istio.egressGateway)"
    : "the mesh admits only hosts its registry names (istio.outboundTrafficPolicy: REGISTRY_ONLY)";
  const called = new Set(
    app.edges.map((e) => /->\s*([a-z0-9-]+)\s*:/.exec(e)?.[1]).filter((x): x is string => x !== undefined),
  );
  for (const x of app.externals) {
    if (!called.has(x.name) || routableByName(x.host)) continue;
    problems.push(
      `${KEY}.app.externalHosts.${x.name}: "${x.host}" is not a host name, and ${why}; ` +
        'give the SaaS host name the app calls (e.g. "payments.example.com")',
    );
  }
  return problems;
}
