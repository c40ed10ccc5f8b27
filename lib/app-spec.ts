/** The shape of an app the platform hosts; kept separate from config parsing so pure code can share it. */

export type Probe = { type: "http"; path: string } | { type: "tcp" };

export interface ServiceSpec {
  /** DNS-1123 label; also the workload, Service and ServiceAccount name. */
  name: string;
  /** Pinned image reference (tag or digest, never `latest`). */
  image: string;
  /** The Service port clients dial, and the one traffic intent edges name. */
  port: number;
  /** The container port behind `port`; defaults to `port`. NetworkPolicies use this one. */
  targetPort?: number;
  /** More named ports of the same pods (a Kafka controller listener, say). */
  extraPorts?: Array<{ name: string; port: number }>;
  probe: Probe;
  /** Namespace override; defaults to the app's namespace. */
  namespace?: string;
  /** Run as a StatefulSet behind a headless Service instead of a Deployment. */
  stateful?: { replicas: number; storage: string };
  resources?: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string };
  /** Weighted workload versions (config `app.traffic.<name>`); one Deployment each (lib/traffic.ts). */
  versions?: VersionSpec[];
}

export interface VersionSpec {
  /** The `version` label value; the Deployment is `<service>-<name>`. */
  name: string;
  image: string;
  replicas?: number;
  /** Percent of the requests routed to it. */
  weight: number;
}

export interface ExternalSpec {
  /** The ExternalName Service's name, and the peer name edges use. */
  name: string;
  host: string;
  /** Address ranges the host resolves to; NetworkPolicy cannot match DNS names. */
  cidrs: string[];
  port: number;
}

export interface AppSpec {
  namespace: string;
  services: ServiceSpec[];
  externals: ExternalSpec[];
  /** `source -> destination:port[/protocol]`, ports being Service ports. */
  edges: string[];
}
