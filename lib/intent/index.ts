/**
 * The traffic intent compiler: from one declaration of edges (`frontend -> orders:8080`)
 * to every artefact that enforces or documents it. Pure functions only; components/
 * turn the objects into Pulumi resources.
 *
 * - edges.ts: parse `source -> destination:port[/protocol]` and resolve peers and ports
 * - cluster-view.ts: which services run on the cluster compiled for
 * - options.ts: the platform around the app (ingress controller, DNS, mesh, add-ons)
 * - labels.ts: the labels pods are selected by and the names of the deny-all policies
 * - network-policies.ts: NetworkPolicies in both directions, one port each
 * - authorization-policies.ts: Istio AuthorizationPolicies by workload identity
 * - document.ts: the intent document the policy pack checks reachability against
 * - contract.ts: that document's type and constants, shared with the pack
 */
export * from "./authorization-policies";
export * from "./cluster-view";
export * from "./document";
export * from "./edges";
export * from "./labels";
export * from "./network-policies";
export * from "./options";
