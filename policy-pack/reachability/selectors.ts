/** Kubernetes label selectors (metav1.LabelSelector), compiled and checked. */
import { InputError } from "../manifests/errors";
import { LABEL_SELECTOR_OPERATORS, type LabelSelectorOperator } from "../manifests/types";

export type Labels = Readonly<Record<string, string>>;

export interface Requirement {
  key: string;
  operator: LabelSelectorOperator;
  values: readonly string[];
}

export interface Selector {
  /** True for `{}`: selects everything. */
  readonly matchesAll: boolean;
  readonly matchLabels: readonly (readonly [string, string])[];
  readonly requirements: readonly Requirement[];
  /** Canonical text, e.g. `app=orders,tier in (a,b)`; `{}` when it selects everything. */
  readonly text: string;
}

const OPERATORS = new Set<string>(LABEL_SELECTOR_OPERATORS);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Compiles a LabelSelector. `where` names the object and field for error messages,
 * e.g. `NetworkPolicy shop/orders: spec.ingress[0].from[1].podSelector`.
 */
export function compileSelector(raw: unknown, where: string): Selector {
  if (!isPlainObject(raw))
    throw new InputError(`${where}: a label selector must be an object, got ${JSON.stringify(raw)}`);
  for (const k of Object.keys(raw)) {
    if (k !== "matchLabels" && k !== "matchExpressions") {
      throw new InputError(
        `${where}: unknown field "${k}" (a label selector has matchLabels and matchExpressions)`,
      );
    }
  }
  const matchLabels: [string, string][] = [];
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isPlainObject(raw.matchLabels))
      throw new InputError(`${where}.matchLabels: must be a map of strings`);
    for (const [k, v] of Object.entries(raw.matchLabels)) {
      if (typeof v !== "string") {
        throw new InputError(`${where}.matchLabels.${k}: value must be a string, got ${JSON.stringify(v)}`);
      }
      matchLabels.push([k, v]);
    }
  }
  const requirements: Requirement[] = [];
  if (raw.matchExpressions !== undefined && raw.matchExpressions !== null) {
    if (!Array.isArray(raw.matchExpressions))
      throw new InputError(`${where}.matchExpressions: must be a list`);
    raw.matchExpressions.forEach((e: unknown, i: number) => {
      const at = `${where}.matchExpressions[${i}]`;
      if (!isPlainObject(e)) throw new InputError(`${at}: must be an object`);
      if (typeof e.key !== "string" || e.key === "")
        throw new InputError(`${at}.key: must be a non-empty string`);
      if (typeof e.operator !== "string" || !OPERATORS.has(e.operator)) {
        throw new InputError(
          `${at}.operator: unknown operator ${JSON.stringify(e.operator)} (one of In, NotIn, Exists, DoesNotExist)`,
        );
      }
      const op = e.operator as Requirement["operator"];
      const values = e.values === undefined || e.values === null ? [] : e.values;
      if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
        throw new InputError(`${at}.values: must be a list of strings`);
      }
      if ((op === "In" || op === "NotIn") && values.length === 0) {
        throw new InputError(`${at}.values: operator ${op} needs at least one value`);
      }
      if ((op === "Exists" || op === "DoesNotExist") && values.length > 0) {
        throw new InputError(`${at}.values: operator ${op} takes no values`);
      }
      requirements.push({ key: e.key, operator: op, values: [...new Set(values as string[])].sort() });
    });
  }
  matchLabels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts = [
    ...matchLabels.map(([k, v]) => `${k}=${v}`),
    ...requirements.map((r) =>
      r.operator === "Exists"
        ? r.key
        : r.operator === "DoesNotExist"
          ? `!${r.key}`
          : `${r.key} ${r.operator === "In" ? "in" : "notin"} (${r.values.join(",")})`,
    ),
  ];
  return {
    matchesAll: parts.length === 0,
    matchLabels,
    requirements,
    text: parts.length === 0 ? "{}" : parts.join(","),
  };
}

export function selectorMatches(sel: Selector, labels: Labels): boolean {
  if (sel.matchesAll) return true;
  for (const [k, v] of sel.matchLabels) if (labels[k] !== v) return false;
  for (const r of sel.requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case "In":
        if (!has || !r.values.includes(labels[r.key])) return false;
        break;
      case "NotIn":
        if (has && r.values.includes(labels[r.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Canonical text of a label set, usable as a map key. */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}
