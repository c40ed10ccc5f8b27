/**
 * The traffic intent as the platform program publishes it, and as the policy pack
 * reads it back.
 *
 * The program declares who may talk to whom once (lib/intent/); besides compiling
 * that declaration into NetworkPolicies and Istio AuthorizationPolicies, it writes
 * the resolved declaration into a ConfigMap in the first app namespace. The
 * `reachability-matches-intent` stack policy finds that ConfigMap among the stack's
 * resources and holds the NetworkPolicies' actual reachability against it. This
 * file is the contract between the two sides; it has no Pulumi dependency.
 */

export const INTENT_CONFIGMAP_NAME = "traffic-intent";
export const INTENT_CONFIGMAP_KEY = "intent.json";
/** Label set on the intent ConfigMap so tools can find it without knowing its namespace. */
export const INTENT_LABEL = "netplat.dev/traffic-intent";

export type Protocol = "TCP" | "UDP" | "SCTP";

/** Pods selected by labels in one namespace (a Deployment's pod template labels, say). */
export interface WorkloadPeer {
  kind: "workload";
  namespace: string;
  podLabels: Record<string, string>;
}

/** Addresses outside the cluster, e.g. the payment SaaS. */
export interface ExternalPeer {
  kind: "external";
  /** DNS name, for people; NetworkPolicy itself only sees `cidrs`. */
  host: string;
  cidrs: string[];
}

export type IntentPeer = WorkloadPeer | ExternalPeer;

export interface IntentEdge {
  /** Names of entries in `IntentDocument.peers`. */
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  /**
   * `app`: declared by the stack's author (frontend -> orders:8080).
   * `platform`: derived allowances every app pod needs (DNS, istiod, the ingress controller).
   */
  origin: "app" | "platform";
}

export interface IntentDocument {
  version: 1;
  /** Namespaces whose traffic the intent governs completely (default-deny applies there). */
  appNamespaces: string[];
  peers: Record<string, IntentPeer>;
  edges: IntentEdge[];
}

const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

function isRecordOfStrings(v: unknown): v is Record<string, string> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === "string")
  );
}

/**
 * Parses and checks an intent document (the ConfigMap's JSON). Throws an Error
 * naming the offending field; never guesses.
 */
export function parseIntentDocument(text: string): IntentDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`traffic intent: not valid JSON (${(e as Error).message})`);
  }
  const doc = raw as Partial<IntentDocument>;
  if (typeof doc !== "object" || doc === null) throw new Error("traffic intent: expected an object");
  if (doc.version !== 1) throw new Error(`traffic intent: version must be 1, got ${String(doc.version)}`);
  if (!Array.isArray(doc.appNamespaces) || !doc.appNamespaces.every((n) => typeof n === "string")) {
    throw new Error("traffic intent: appNamespaces must be a list of namespace names");
  }
  if (typeof doc.peers !== "object" || doc.peers === null) {
    throw new Error("traffic intent: peers must be an object of named peers");
  }
  for (const [name, peer] of Object.entries(doc.peers)) {
    if (peer.kind === "workload") {
      if (typeof peer.namespace !== "string" || !isRecordOfStrings(peer.podLabels)) {
        throw new Error(`traffic intent: peers.${name} needs a namespace and podLabels (string map)`);
      }
    } else if (peer.kind === "external") {
      if (!Array.isArray(peer.cidrs) || !peer.cidrs.every((c) => typeof c === "string")) {
        throw new Error(`traffic intent: peers.${name}.cidrs must be a list of CIDRs`);
      }
    } else {
      throw new Error(`traffic intent: peers.${name}.kind must be "workload" or "external"`);
    }
  }
  if (!Array.isArray(doc.edges)) throw new Error("traffic intent: edges must be a list");
  doc.edges.forEach((e, i) => {
    const where = `traffic intent: edges[${i}]`;
    if (!(e.from in doc.peers!)) throw new Error(`${where}.from names unknown peer "${e.from}"`);
    if (!(e.to in doc.peers!)) throw new Error(`${where}.to names unknown peer "${e.to}"`);
    if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
      throw new Error(`${where}.port must be an integer 1-65535, got ${String(e.port)}`);
    }
    if (!PROTOCOLS.includes(e.protocol)) {
      throw new Error(`${where}.protocol must be one of ${PROTOCOLS.join(", ")}`);
    }
    if (e.origin !== "app" && e.origin !== "platform") {
      throw new Error(`${where}.origin must be "app" or "platform"`);
    }
  });
  return doc as IntentDocument;
}
