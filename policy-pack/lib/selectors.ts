/** Kubernetes label selector semantics, shared by the NetworkPolicy and PDB rules. */
import type { LabelSelector, StringMap } from "./k8s";
import { compileSelector, selectorMatches } from "../reachability/selectors";

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
/**
 * {@link selects} with the selector compiled once, for matching many label sets
 * against the same selector.
 */
export function selectorPredicate(
  sel: LabelSelector | undefined,
  undefinedMatchesAll = false,
): (labels: StringMap) => boolean {
  if (sel === undefined) return () => undefinedMatchesAll;
  let compiled: ReturnType<typeof compileSelector>;
  try {
    compiled = compileSelector(sel, "selector");
  } catch {
    return () => false;
  }
  return (labels) => selectorMatches(compiled, labels);
}

export function selects(
  sel: LabelSelector | undefined,
  labels: StringMap,
  undefinedMatchesAll = false,
): boolean {
  if (sel === undefined) return undefinedMatchesAll;
  // One implementation of selector semantics for the whole pack: the reachability
  // analyser's. It refuses malformed selectors; a rule treats those as selecting nothing.
  let compiled;
  try {
    compiled = compileSelector(sel, "selector");
  } catch {
    return false;
  }
  return selectorMatches(compiled, labels);
}
