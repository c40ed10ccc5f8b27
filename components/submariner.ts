/**
 * Submariner: the broker on one cluster, and the join (operator chart) on every
 * cluster, the broker's included. Planning: lib/addons/submariner.ts.
 *
 * How a join gets the broker's credentials: the broker component creates a
 * `kubernetes.io/service-account-token` Secret for the broker client ServiceAccount
 * and reads it back with `Secret.get`, keyed on the created Secret's outputs. On a
 * first preview those outputs are unknown, so the read is deferred and the preview
 * needs no cluster; on update it reads the live Secret. Token and CA are wrapped in
 * `pulumi.secret`, so they are encrypted in state and masked in output. (Alternative
 * considered: the token as a config secret; rejected because it must be copied by hand
 * after the broker exists and goes stale when the Secret is rotated.)
 *
 * IPsec PSK (libreswan): every gateway needs the same pre-shared key. Pass one as
 * `ipsecPsk` to each join (a config secret). Without it, the key is derived from the
 * broker token (HMAC-SHA256): every joined cluster holds that token already, so the set
 * of parties knowing the key does not grow, and no random provider plugin is needed;
 * rotating the token Secret rotates the key on all clusters at the next update.
 */
import { createHmac } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import {
  BROKER_NAMESPACE,
  BROKER_TOKEN_SECRET,
  BrokerConnection,
  GATEWAY_NODE_LABEL,
  OPERATOR_NAMESPACE,
  brokerServer,
  brokerTokenSecret,
  brokerValues,
  chartServiceAccounts,
  operatorValues,
} from "../lib/addons/submariner";
import { K8sObject } from "../lib/k8s-object";
import { installChart } from "./helm";

/**
 * A broker credential, or an error naming the broker cluster and where the value should
 * have come from. Fails closed: an empty token or CA would give every join a broker it
 * can never authenticate to, and a deploy that "succeeds" with no connectivity.
 */
export function requireBrokerCredential(
  value: string | undefined,
  what: "token" | "CA",
  brokerCluster: string,
  source: string,
): string {
  if (value === undefined || value.trim() === "") {
    throw new Error(
      `cluster ${brokerCluster} (Submariner broker): no broker client ${what} in ${source}; ` +
        "the joins cannot authenticate to the broker without it",
    );
  }
  return value;
}

/** The ServiceAccounts a chart would have created (see operatorServiceAccounts), before the chart. */
function serviceAccounts(
  name: string,
  objects: K8sObject[],
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ServiceAccount[] {
  return objects.map(
    (o) => new k8s.core.v1.ServiceAccount(`${name}-sa-${o.metadata.name}`, { metadata: o.metadata }, opts),
  );
}

/** The IPsec PSK used when none is given: a keyed hash of the broker token. */
function derivedPsk(token: string): string {
  return createHmac("sha256", token).update("submariner-ipsec-psk").digest("hex");
}

export interface SubmarinerBrokerArgs {
  /** The broker cluster (`submariner.broker`); its `apiServer` is what the other clusters dial. */
  cluster: ClusterConfig;
  platform: PlatformConfig;
  /**
   * The broker client's token and CA, when they cannot be read back from the broker
   * cluster (render mode talks to no cluster). Default: read from the token Secret.
   */
  credentials?: { token: pulumi.Output<string>; ca: pulumi.Output<string> };
}

export class SubmarinerBroker extends pulumi.ComponentResource {
  /** What SubmarinerJoin needs; token and CA are secret Outputs. */
  public readonly connection: BrokerConnection<pulumi.Output<string>>;
  public readonly chart: k8s.helm.v4.Chart;
  /** The broker client's token Secret, which Kubernetes' token controller fills. */
  public readonly tokenSecret: k8s.core.v1.Secret;

  constructor(name: string, args: SubmarinerBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:multicluster:SubmarinerBroker", name, {}, opts);
    const server = brokerServer(args.cluster);
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: BROKER_NAMESPACE } },
      { parent: this },
    );
    const accounts = serviceAccounts(name, chartServiceAccounts("broker"), { parent: this, dependsOn: [ns] });
    this.chart = installChart(
      `${name}-broker`,
      {
        key: "submarinerBroker",
        namespace: BROKER_NAMESPACE,
        values: brokerValues(),
        platform: args.platform,
      },
      { parent: this, dependsOn: [ns, ...accounts] },
    );
    const tokenSpec = brokerTokenSecret();
    // After the ServiceAccount: the token controller deletes a token Secret whose account is missing.
    const tokenSecret = (this.tokenSecret = new k8s.core.v1.Secret(
      `${name}-token`,
      { metadata: tokenSpec.metadata, type: tokenSpec.type as string },
      { parent: this, dependsOn: [...accounts, this.chart] },
    ));
    const broker = args.cluster.name;
    if (args.credentials) {
      const source = (key: string) => `the secret k8s-netplat:${key} (pulumi config set --secret ${key} ...)`;
      this.connection = {
        server,
        namespace: BROKER_NAMESPACE,
        token: pulumi.secret(
          pulumi
            .output(args.credentials.token)
            .apply((t) => requireBrokerCredential(t, "token", broker, source("submarinerBrokerToken"))),
        ),
        ca: pulumi.secret(
          pulumi
            .output(args.credentials.ca)
            .apply((c) => requireBrokerCredential(c, "CA", broker, source("submarinerBrokerCa"))),
        ),
      };
    } else {
      // Empty until the token controller has filled it (its ServiceAccount must exist first).
      const where = `the Secret ${BROKER_NAMESPACE}/${BROKER_TOKEN_SECRET} on the broker cluster (not yet filled by the token controller?)`;
      const live = k8s.core.v1.Secret.get(
        `${name}-token-live`,
        pulumi.interpolate`${tokenSecret.metadata.namespace}/${tokenSecret.metadata.name}`,
        { parent: this, dependsOn: [tokenSecret] },
      );
      this.connection = {
        server,
        namespace: BROKER_NAMESPACE,
        token: pulumi.secret(
          live.data.apply((d) =>
            Buffer.from(requireBrokerCredential(d?.token, "token", broker, where), "base64").toString("utf8"),
          ),
        ),
        ca: pulumi.secret(
          live.data.apply((d) => requireBrokerCredential(d?.["ca.crt"], "CA", broker, where)),
        ),
      };
    }
    this.registerOutputs({ server, namespace: BROKER_NAMESPACE });
  }
}

export interface SubmarinerJoinArgs {
  /** The joining cluster; its index in `platform.clusters` picks its Globalnet range. */
  cluster: ClusterConfig;
  platform: PlatformConfig;
  /** From SubmarinerBroker.connection. */
  broker: BrokerConnection<pulumi.Output<string>>;
  /**
   * IPsec pre-shared key, the same on every cluster (libreswan), e.g.
   * `config.getSecret("submarinerPsk")`. Default: derived from the broker token.
   */
  ipsecPsk?: pulumi.Input<string>;
  /** NAT traversal between gateways. Default: true (as `subctl join`). */
  natEnabled?: boolean;
}

export class SubmarinerJoin extends pulumi.ComponentResource {
  public readonly clusterId: string;
  /** Nodes the gateway engine runs on; label them at provisioning (the chart cannot change the selector). */
  public readonly gatewayNodeSelector: Record<string, string>;
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: SubmarinerJoinArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:multicluster:SubmarinerJoin", name, {}, opts);
    const { cluster, platform } = args;
    const index = platform.clusters.findIndex((c) => c.name === cluster.name);
    if (index < 0) throw new Error(`cluster ${cluster.name} is not in platform.clusters`);
    this.clusterId = cluster.name;
    this.gatewayNodeSelector = cluster.gatewayNodeSelector;
    const custom = Object.entries(cluster.gatewayNodeSelector).some(
      ([k, v]) => GATEWAY_NODE_LABEL[k as keyof typeof GATEWAY_NODE_LABEL] !== v,
    );
    if (custom || Object.keys(cluster.gatewayNodeSelector).length !== 1) {
      pulumi.log.warn(
        `cluster ${cluster.name}: gatewayNodeSelector ${JSON.stringify(cluster.gatewayNodeSelector)} is not used by Submariner, ` +
          "which places gateways on nodes labelled submariner.io/gateway=true; label those nodes",
        this,
      );
    }
    const psk = pulumi.secret(
      args.ipsecPsk !== undefined ? pulumi.output(args.ipsecPsk) : args.broker.token.apply(derivedPsk),
    );
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      // The gateway and route agent are privileged (IPsec, routes, iptables on the host).
      {
        metadata: {
          name: OPERATOR_NAMESPACE,
          labels: { "pod-security.kubernetes.io/enforce": "privileged" },
        },
      },
      { parent: this },
    );
    const accounts = serviceAccounts(name, chartServiceAccounts({ operatorRelease: `${name}-operator` }), {
      parent: this,
      dependsOn: [ns],
    });
    this.chart = installChart(
      `${name}-operator`,
      {
        key: "submarinerOperator",
        namespace: OPERATOR_NAMESPACE,
        values: operatorValues(platform, index, args.broker, psk, {
          natEnabled: args.natEnabled,
          release: `${name}-operator`,
        }),
        releaseName: `${name}-operator`,
        platform,
      },
      { parent: this, dependsOn: [ns, ...accounts] },
    );
    this.registerOutputs({ clusterId: this.clusterId, gatewayNodeSelector: this.gatewayNodeSelector });
  }
}
