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

/** The error to raise for a resource render mode must not write, or undefined when it may. */
export function renderModeViolation(r: RenderedResource, directory: string): string | undefined {
  if (!SECRET_TYPES.has(r.type)) return undefined;
  const meta = (r.props.metadata ?? {}) as { name?: string; namespace?: string };
  const which = `${meta.namespace ?? "default"}/${meta.name ?? r.name}`;
  return (
    `render mode would write Secret ${which} (resource ${r.name}) in plaintext to ${directory}; ` +
    "render mode refuses Secrets: create them out of band (sealed-secrets, external-secrets, SOPS) " +
    "or turn off what needs them for this stack"
  );
}
