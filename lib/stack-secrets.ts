/**
 * Credentials the platform's add-ons need that would otherwise be generated at random by
 * their charts on every render (so no two renders or `up`s agree): they come from the
 * stack's config secrets instead, and reach the add-ons only through Secrets the program
 * creates (Grafana's `admin.existingSecret`, Kiali's override-secret mount).
 * Required in prod wherever the add-on is on; elsewhere a missing one is a warning and
 * the chart generates a value.
 */
import { CONFIG_NAMESPACE, PlatformConfig } from "./config";
import { isProd } from "./addons/production";
import { MESH_ROOT_CA, parseMeshRootCa } from "./addons/mesh";
import { oneMesh } from "./cross-cluster";

export const GRAFANA_ADMIN_PASSWORD = "grafanaAdminPassword";
export const KIALI_SIGNING_KEY = "kialiSigningKey";
export { MESH_ROOT_CA };
export type StackSecretKey = typeof GRAFANA_ADMIN_PASSWORD | typeof KIALI_SIGNING_KEY | typeof MESH_ROOT_CA;

/** Lengths Kiali accepts for its login token signing key (an AES key). */
export const KIALI_SIGNING_KEY_LENGTHS = [16, 24, 32];

/** The config secrets this stack's add-ons use, with what uses them. */
export function stackSecretsUsed(platform: PlatformConfig): Array<{ key: StackSecretKey; what: string }> {
  const o = platform.observability;
  return [
    ...(o.enabled && o.grafana
      ? [{ key: GRAFANA_ADMIN_PASSWORD, what: "Grafana's admin password" } as const]
      : []),
    ...(o.enabled && o.kiali && platform.istio.enabled
      ? [{ key: KIALI_SIGNING_KEY, what: "Kiali's login token signing key" } as const]
      : []),
    ...(oneMesh(platform)
      ? [{ key: MESH_ROOT_CA, what: "the mesh root CA every cluster's istiod CA chains to" } as const]
      : []),
  ];
}

const setCommand = (key: string) => `pulumi config set --secret ${key} <value>`;

/**
 * Problems (errors) and warnings with the stack's config secrets, by their plain values
 * (never included in a message).
 */
export function stackSecretProblems(
  platform: PlatformConfig,
  values: Partial<Record<StackSecretKey, string>>,
): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const { key, what } of stackSecretsUsed(platform)) {
    const value = values[key];
    const name = `${CONFIG_NAMESPACE}:${key}`;
    if (key === MESH_ROOT_CA) {
      if (value === undefined || value === "") {
        errors.push(
          `the secret ${name} is required with istio.oneMesh (${what}: without it each istiod signs with its own ` +
            "root and the clusters refuse each other's certificates): cat root-cert.pem root-key.pem | " +
            `pulumi config set --secret ${key}`,
        );
      } else {
        try {
          parseMeshRootCa(value);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      continue;
    }
    if (value === undefined || value === "") {
      const consequence = `${what} would be generated at random by the chart on every render and update`;
      if (isProd(platform))
        errors.push(`the secret ${name} is required in prod (${consequence}): ${setCommand(key)}`);
      else warnings.push(`no secret ${name}: ${consequence}; set it with ${setCommand(key)}`);
      continue;
    }
    if (key === KIALI_SIGNING_KEY && !KIALI_SIGNING_KEY_LENGTHS.includes(value.length)) {
      errors.push(
        `the secret ${name} is ${value.length} characters long; Kiali accepts ${KIALI_SIGNING_KEY_LENGTHS.join(", ")} (e.g. openssl rand -hex 16)`,
      );
    }
  }
  return { errors, warnings };
}
