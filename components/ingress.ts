/**
 * The ingress controller: F5 NGINX Ingress Controller, community ingress-nginx, or a
 * Gateway API Gateway served by Istio. Planning lives in lib/addons/ingress.ts; apps
 * use `appIngress()` from there with this component's `className` and `peer`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, PlatformConfig } from "../lib/config";
import { IngressPeer } from "../lib/intent";
import {
  gatewayObjects,
  ingressChart,
  ingressClassName,
  ingressNamespaceLabels,
  ingressPeer,
} from "../lib/addons/ingress";
import { installChart } from "./helm";

export interface IngressControllerArgs {
  cluster: ClusterConfig;
  /** `ingress.*` (controller, serviceType, namespace), `app.host` for the Gateway's HTTPS listener. */
  platform: PlatformConfig;
  /**
   * The Istio component, when the mesh is on. The controller's pods need istiod's injector
   * (they run with a sidecar), and a Gateway needs Istio's Gateway controller. Default: none.
   */
  mesh?: pulumi.Resource;
}

export class IngressController extends pulumi.ComponentResource {
  /** The controller's pods and identity, for the intent compiler. */
  public readonly peer: IngressPeer;
  /** ingressClassName for Ingresses (`nginx`), or the GatewayClass (`istio`) in gateway-api mode. */
  public readonly className: string;
  public readonly namespace: string;
  /** The controller chart (NGINX controllers). */
  public readonly chart?: k8s.helm.v4.Chart;
  /** The Gateway (gateway-api mode); HTTPRoutes attach to it. */
  public readonly gateway?: k8s.apiextensions.CustomResource;

  constructor(name: string, args: IngressControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:ingress:IngressController", name, {}, opts);
    const { platform } = args;
    this.peer = ingressPeer(platform);
    this.className = ingressClassName(platform);
    this.namespace = platform.ingress.namespace;
    const meshDeps = args.mesh ? [args.mesh] : [];

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: this.namespace, labels: ingressNamespaceLabels(platform) } },
      { parent: this },
    );

    if (platform.ingress.controller === "ingress-nginx") {
      pulumi.log.warn(
        "ingress.controller ingress-nginx: the community ingress-nginx project was retired in March 2026 and gets no " +
          "more security fixes; prefer nginx-inc (F5 NGINX Ingress Controller) or gateway-api",
        this,
      );
    }

    const plan = ingressChart(platform);
    if (plan) {
      this.chart = installChart(
        `${name}-${platform.ingress.controller}`,
        { key: plan.key, namespace: plan.namespace, values: plan.values, platform },
        { parent: this, dependsOn: [ns, ...meshDeps] },
      );
    } else {
      // The Gateway API CRDs are a cluster prerequisite (see gatewayObjects); Istio's
      // Gateway controller deploys the proxy for each Gateway.
      const [gateway, redirect] = gatewayObjects(platform);
      this.gateway = new k8s.apiextensions.CustomResource(`${name}-gateway`, gateway, {
        parent: this,
        dependsOn: [ns, ...meshDeps],
      });
      new k8s.apiextensions.CustomResource(`${name}-https-redirect`, redirect, {
        parent: this,
        dependsOn: [this.gateway],
      });
    }

    this.registerOutputs({ peer: this.peer, className: this.className, namespace: this.namespace });
  }
}
