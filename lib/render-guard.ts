/**
 * Render mode writes every object to YAML files in plaintext, Kubernetes Secrets
 * included (the provider cannot encrypt what it writes). A Secret is written with its
 * values replaced by a placeholder (lib/render-secrets.ts). Beyond that, the guard
 * refuses to render anything that would put a credential in a directory meant for
 * review and GitOps:
 *   - a SecretList (not redacted item by item);
 *   - any other Kubernetes object (custom resources and chart-rendered objects included) whose
 *     inputs hold a Pulumi secret anywhere, e.g. a chart value fed from a config secret;
 *   - any Kubernetes object with a known credential field set (the Submariner operator
 *     chart copies the broker token and the IPsec PSK into the `Submariner` resource's
 *     `brokerK8sApiServerToken` and `ceIPSecPSK`, where they are plain strings again).
 * Supply such credentials out of band (sealed-secrets, external-secrets, SOPS).
 */

export interface RenderedResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** Whether the resource is a custom (provider-managed) resource; components are not written out. */
  custom?: boolean;
}

export const SECRET_TYPE = "kubernetes:core/v1:Secret";
const SECRET_LIST_TYPE = "kubernetes:core/v1:SecretList";

/** How the Node.js SDK marks a secret value in the properties a transform receives (rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Field names that hold a credential wherever they appear in an object (matched exactly,
 * case-insensitively, when the value is a non-empty string). Names of references to a
 * Secret (`passwordKey`, `privateKeySecretRef`, `existingSecret`) are not credentials.
 */
export const CREDENTIAL_FIELDS: readonly string[] = [
  // Submariner CR (submariner.io/v1alpha1 Submariner): the broker token and the IPsec PSK.
  "brokerK8sApiServerToken",
  "ceIPSecPSK",
  "password",
  "adminPassword",
  "token",
  "bearerToken",
  "psk",
  "apiKey",
  "secretKey",
  "clientSecret",
  "privateKeyPem",
];
const CREDENTIAL_NAMES = new Set(CREDENTIAL_FIELDS.map((f) => f.toLowerCase()));

function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Property paths (`spec.ceIPSecPSK`) holding a Pulumi secret or a credential field, in document order. */
export function credentialPaths(props: unknown): { secrets: string[]; fields: string[] } {
  const secrets: string[] = [];
  const fields: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (isSecretValue(v)) {
      secrets.push(at || "(the whole object)");
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${at}[${i}]`));
      return;
    }
    if (typeof v !== "object" || v === null) return;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      // Label and annotation keys are names, not fields of the object.
      if (at === "metadata" && (k === "labels" || k === "annotations")) continue;
      const here = at ? `${at}.${k}` : k;
      if (CREDENTIAL_NAMES.has(k.toLowerCase()) && typeof child === "string" && child !== "") {
        fields.push(here);
      }
      walk(child, here);
    }
  };
  walk(props, "");
  return { secrets, fields };
}

function objectName(r: RenderedResource): string {
  const meta = (r.props.metadata ?? {}) as { name?: string; namespace?: string };
  return `${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? r.name}`;
}

/** Kubernetes objects the provider writes out: custom resources of the `kubernetes` package. */
function isWrittenObject(r: RenderedResource): boolean {
  return r.type.startsWith("kubernetes:") && r.custom !== false;
}

/**
 * The error to raise for a resource render mode must not write, or undefined when it
 * may. Secrets are not refused: the render transform writes them with placeholders
 * (lib/render-secrets.ts), so their values never reach the directory.
 */
export function renderModeViolation(r: RenderedResource, directory: string): string | undefined {
  if (!isWrittenObject(r) || r.type === SECRET_TYPE) return undefined;
  const instead =
    "create credentials out of band (sealed-secrets, external-secrets, SOPS) or turn off what needs them for this stack";
  if (r.type === SECRET_LIST_TYPE) {
    return (
      `render mode would write SecretList ${objectName(r)} (resource ${r.name}) in plaintext to ${directory}; ` +
      `render mode refuses SecretLists: ${instead}`
    );
  }
  const { secrets, fields } = credentialPaths(r.props);
  if (secrets.length === 0 && fields.length === 0) return undefined;
  const kind = r.type.split(":").pop();
  const what = [
    ...(secrets.length > 0 ? [`a Pulumi secret in ${secrets.join(", ")}`] : []),
    ...(fields.length > 0 ? [`a credential field ${fields.join(", ")}`] : []),
  ].join(" and ");
  return (
    `render mode would write ${kind} ${objectName(r)} (resource ${r.name}) with ${what} in plaintext to ${directory}; ` +
    instead
  );
}
