import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** Namespaces the stack-level NetworkPolicy rules leave alone unless the stack config says otherwise. */
export const DEFAULT_EXEMPT_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

export const EXEMPT_NAMESPACES_SCHEMA: PolicyConfigJSONSchema & { default: string[] } = {
  type: "array",
  items: { type: "string" },
  default: DEFAULT_EXEMPT_NAMESPACES,
  description: "Namespaces this rule does not check (system and CNI namespaces).",
};
