/**
 * Render mode writes every object to YAML files in plaintext, Kubernetes Secrets
 * included (the provider cannot encrypt what it writes). The guard refuses to render a
 * Secret so that credentials never land in a directory meant for review and GitOps;
 * supply such Secrets out of band (sealed-secrets, external-secrets, SOPS).
 */

export interface RenderedResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

const SECRET_TYPES = new Set(["kubernetes:core/v1:Secret", "kubernetes:core/v1:SecretList"]);

function hasContent(v: unknown): boolean {
  // Unknown during preview counts as content: it may well be a credential.
  return v !== undefined && v !== null && (typeof v !== "object" || Object.keys(v as object).length > 0);
}

/**
 * The error to raise for a resource render mode must not write, or undefined when it
 * may. A Secret with neither `data` nor `stringData` (a service-account token Secret
 * that Kubernetes fills in) carries no credential and may be rendered.
 */
export function renderModeViolation(r: RenderedResource, directory: string): string | undefined {
  if (!SECRET_TYPES.has(r.type)) return undefined;
  if (
    r.type === "kubernetes:core/v1:Secret" &&
    !hasContent(r.props.data) &&
    !hasContent(r.props.stringData)
  ) {
    return undefined;
  }
  const meta = (r.props.metadata ?? {}) as { name?: string; namespace?: string };
  const which = `${meta.namespace ?? "default"}/${meta.name ?? r.name}`;
  return (
    `render mode would write Secret ${which} (resource ${r.name}) in plaintext to ${directory}; ` +
    "render mode refuses Secrets: create them out of band (sealed-secrets, external-secrets, SOPS) " +
    "or turn off what needs them for this stack"
  );
}
