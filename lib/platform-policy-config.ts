/**
 * The config side of the zero-trust platform policies (lib/platform-intent.ts): whether
 * they are on, and what a stack must give when they are. Kept apart from
 * lib/platform-intent.ts so lib/config.ts can call it without an import cycle.
 */

/** The parts of the platform config these checks read. */
export interface PlatformPolicyConfig {
  environment: "dev" | "prod";
  platformNetworkPolicies?: boolean;
  clusters: Array<{ apiServerCidr?: string; nodeCidr?: string }>;
  observability: { enabled: boolean; prometheus: boolean };
}

const KEY = "platform";

/** Whether the stack compiles zero-trust policies for its platform namespaces (default: in prod). */
export function platformPoliciesOn(
  platform: Pick<PlatformPolicyConfig, "environment" | "platformNetworkPolicies">,
): boolean {
  return platform.platformNetworkPolicies ?? platform.environment === "prod";
}

/**
 * Config problems of the platform policies, for lib/config.ts: the ranges a stack must give
 * when they are on (the API server's, the nodes' when Prometheus scrapes them). Each names
 * the key and what would be accepted.
 */
export function platformPolicyProblems(platform: PlatformPolicyConfig): string[] {
  const scraped = platform.observability.enabled && platform.observability.prometheus;
  if (!platformPoliciesOn(platform)) {
    // Keys the chosen mode ignores are refused, as elsewhere in the config.
    return platform.clusters.flatMap((c, i) =>
      (["apiServerCidr", "nodeCidr"] as const)
        .filter((k) => c[k] !== undefined)
        .map(
          (k) =>
            `${KEY}.clusters[${i}].${k}: has no effect without the platform namespaces' zero-trust policies; ` +
            `remove it or set ${KEY}.platformNetworkPolicies: true`,
        ),
    );
  }
  const why = `the platform namespaces get zero-trust NetworkPolicies (${KEY}.platformNetworkPolicies, default true in prod)`;
  const problems: string[] = [];
  platform.clusters.forEach((c, i) => {
    if (!c.apiServerCidr) {
      problems.push(
        `${KEY}.clusters[${i}].apiServerCidr: required when ${why}: the address range the API server ` +
          'calls webhooks from and controllers reach it at (e.g. the control plane\'s subnet, "10.0.0.0/24")',
      );
    }
    if (!scraped && c.nodeCidr !== undefined) {
      problems.push(
        `${KEY}.clusters[${i}].nodeCidr: has no effect without Prometheus (observability.enabled and observability.prometheus); remove it`,
      );
    }
    if (scraped && !c.nodeCidr) {
      problems.push(
        `${KEY}.clusters[${i}].nodeCidr: required when ${why} and Prometheus is on: the nodes' address ` +
          'range, where Prometheus scrapes node-exporter, the kubelet and the control plane (e.g. "10.0.0.0/20")',
      );
    }
  });
  return problems;
}
