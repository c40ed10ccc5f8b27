import deepmerge from "deepmerge";

/**
 * Only plain objects (`{...}`, `Object.create(null)`) merge key by key. Everything else
 * is a value taken as it is: a Pulumi Output, Resource or Asset, a Date, any class
 * instance. deepmerge's default treats every non-null object as mergeable and copies
 * its own enumerable fields into a fresh `{}`, which turns an Output (a secret one
 * included) into a plain object that is neither an Output nor secret any more.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Helm's own semantics for user values over chart defaults: maps merge key by key,
 * anything else (lists included) is replaced by the user's value.
 */
export function mergeValues<T extends object>(defaults: T, overrides?: object): T {
  if (!overrides) return defaults;
  return deepmerge(defaults, overrides as Partial<T>, {
    arrayMerge: (_target, source) => source,
    isMergeableObject: isPlainObject,
  }) as T;
}
