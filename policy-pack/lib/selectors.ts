/** Kubernetes label selector semantics, shared by the NetworkPolicy and PDB rules. */
import type { LabelSelector, StringMap } from "./k8s";

/** True when the selector is present and selects everything (`{}`). */
export function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return (
    sel !== undefined &&
    Object.keys(sel.matchLabels ?? {}).length === 0 &&
    (sel.matchExpressions ?? []).length === 0
  );
}

/**
 * Whether `sel` selects an object labelled `labels`. An empty selector selects
 * everything; `undefined` selects nothing unless `undefinedMatchesAll` (a
 * NetworkPolicy's spec.podSelector, which the API server defaults to `{}`).
 */
export function selects(
  sel: LabelSelector | undefined,
  labels: StringMap,
  undefinedMatchesAll = false,
): boolean {
  if (sel === undefined) return undefinedMatchesAll;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
        if (!has || !values.includes(labels[req.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[req.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
