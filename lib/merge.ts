import deepmerge from "deepmerge";

/**
 * Helm's own semantics for user values over chart defaults: maps merge key by key,
 * anything else (lists included) is replaced by the user's value.
 */
export function mergeValues<T extends object>(defaults: T, overrides?: object): T {
  if (!overrides) return defaults;
  return deepmerge(defaults, overrides as Partial<T>, { arrayMerge: (_target, source) => source }) as T;
}
