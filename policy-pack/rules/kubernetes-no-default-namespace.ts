import { WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

export const noDefaultNamespace = resourceRule(
  {
    name: "kubernetes-no-default-namespace",
    description:
      "Workloads and Services must live in a named namespace, not `default` and not without a namespace (which lands in the provider's or kubectl's default namespace).",
    severity: "medium",
    remediation:
      "Set metadata.namespace to the application's own namespace (with its default-deny NetworkPolicy and mesh settings)",
    enforcementLevel: "mandatory",
    kinds: [...WORKLOAD_KINDS, "Service"],
  },
  ({ namespace, namespaceSet, report }) => {
    if (!namespaceSet && namespace === "default")
      report("the object sets no namespace, so it lands in `default`");
    else if (namespace === "default") report("the object is in the `default` namespace");
  },
);
