/**
 * The credentials of the observability add-ons, from the stack's config secrets
 * (lib/stack-secrets.ts) through Secrets the program creates, so that the charts
 * generate nothing at random:
 *   - Grafana: `admin.existingSecret` (GRAFANA_ADMIN_SECRET in ./observability.ts);
 *   - Kiali: its login token signing key. The kiali-server chart (2.17) only takes it as
 *     a value, which it writes into a ConfigMap, or generates one at random. Kiali reads
 *     an override from `/kiali-override-secrets/login-token-signing-key/value.txt`, so
 *     the Secret is mounted there (`deployment.custom_secrets`), and the chart value gets
 *     a fixed stand-in, which keeps the chart from generating one and is overridden.
 */
import { platformLabels } from "../k8s-object";

export const KIALI_SIGNING_KEY_SECRET = "kiali-signing-key";
export const KIALI_SIGNING_KEY_MOUNT = "/kiali-override-secrets/login-token-signing-key";
const KIALI_SIGNING_KEY_FILE = "value.txt";
/** In Kiali's ConfigMap instead of the key: 32 characters, a valid length, not a secret. */
export const KIALI_SIGNING_KEY_STAND_IN = "kiali-signing-key-is-in-a-Secret";

/** The Secret Kiali's signing key is mounted from; `key` is a Pulumi secret in the component. */
export function kialiSigningKeySecret<S>(
  namespace: string,
  key: S,
): {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: string;
  stringData: Record<string, S>;
} {
  return {
    type: "Opaque",
    metadata: { name: KIALI_SIGNING_KEY_SECRET, namespace, labels: platformLabels("kiali") },
    stringData: { [KIALI_SIGNING_KEY_FILE]: key },
  };
}

/** kiali-server values that take the signing key from that Secret (merged over kialiValues). */
export function kialiSigningKeyValues(): Record<string, unknown> {
  return {
    login_token: { signing_key: KIALI_SIGNING_KEY_STAND_IN },
    deployment: {
      custom_secrets: [{ name: KIALI_SIGNING_KEY_SECRET, mount: KIALI_SIGNING_KEY_MOUNT }],
    },
  };
}
