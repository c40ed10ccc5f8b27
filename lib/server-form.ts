/**
 * Some charts write objects the API server stores differently from how they were sent,
 * so every `pulumi refresh` reads back a difference and every `up` "fixes" it again:
 *   - a Service port with `targetPort: 0` (Jaeger's all-in-one Services): the server
 *     treats 0 as unset and stores `targetPort` = `port`;
 *   - a Role or ClusterRole with `rules: []` (the Grafana subchart's Role when it needs
 *     no namespaced rules): the server drops the empty list.
 * `asServerStores` rewrites such inputs into what the server stores, which means the
 * same thing to Kubernetes, so refresh and a second `up` see no change. Applied to every
 * chart's objects (lib/chart-rewrites.ts).
 */

type Props = Record<string, unknown>;

const ROLE_TYPES = new Set([
  "kubernetes:rbac.authorization.k8s.io/v1:Role",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
]);

/** The props as the API server would store them, or undefined when they need no change. */
export function asServerStores(type: string, props: Props): Props | undefined {
  if (type === "kubernetes:core/v1:Service") {
    const spec = props.spec as { ports?: Array<Record<string, unknown>> } | undefined;
    if (!Array.isArray(spec?.ports) || !spec.ports.some((p) => p?.targetPort === 0)) return undefined;
    return {
      ...props,
      spec: {
        ...spec,
        ports: spec.ports.map((p) => (p?.targetPort === 0 ? { ...p, targetPort: p.port } : p)),
      },
    };
  }
  if (ROLE_TYPES.has(type) && Array.isArray(props.rules) && props.rules.length === 0) {
    const stored = { ...props };
    delete stored.rules;
    return stored;
  }
  return undefined;
}
