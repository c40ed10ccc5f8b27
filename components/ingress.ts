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
import {
  GatewayLike,
  IngressAddress,
  ServiceLike,
  exposedService,
  gatewayAddress,
  serviceAddress,
} from "../lib/ingress-address";
import { installChart } from "./helm";

/** A chart's Services, with the fields an address is read from. */
function chartServices(chart: k8s.helm.v4.Chart): pulumi.Output<ServiceLike[]> {
  return chart.resources.apply((resources: unknown[] | undefined) => {
    const services = (resources ?? []).filter((r): r is k8s.core.v1.Service =>
      k8s.core.v1.Service.isInstance(r),
    );
    return pulumi.all(
      services.map((svc) =>
        pulumi
          .all([svc.metadata, svc.spec, svc.status])
          .apply(([metadata, spec, status]): ServiceLike => ({ metadata, spec, status }) as ServiceLike),
      ),
    );
  });
}

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
  /** The controller's namespace. */
  public readonly namespaceResource: k8s.core.v1.Namespace;
  /**
   * Where clients reach the controller, read from its exposed Service (gateway-api: from
   * the Gateway's status): the LoadBalancer's hostname or IP and ports, or the node ports.
   * Null while unknown: no exposed Service found, or nothing assigned yet.
   */
  public readonly address: pulumi.Output<IngressAddress | null>;

  constructor(name: string, args: IngressControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("k8s-netplat:ingress:IngressController", name, {}, opts);
    const { platform } = args;
    this.peer = ingressPeer(platform);
    this.className = ingressClassName(platform);
    this.namespace = platform.ingress.namespace;
    const meshDeps = args.mesh ? [args.mesh] : [];

    const ns = (this.namespaceResource = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: this.namespace, labels: ingressNamespaceLabels(platform) } },
      { parent: this },
    ));

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
      // `status` as an (empty) input makes it an output property: the Gateway's addresses.
      this.gateway = new k8s.apiextensions.CustomResource(
        `${name}-gateway`,
        { ...gateway, status: undefined },
        { parent: this, dependsOn: [ns, ...meshDeps] },
      );
      new k8s.apiextensions.CustomResource(`${name}-https-redirect`, redirect, {
        parent: this,
        dependsOn: [this.gateway],
      });
    }

    if (this.chart) {
      this.address = chartServices(this.chart).apply((services) => {
        const svc = exposedService(services);
        return (svc && serviceAddress(svc)) ?? null;
      });
    } else {
      const gw = this.gateway as unknown as Record<"metadata" | "spec" | "status", pulumi.Output<unknown>>;
      this.address = pulumi
        .all({ metadata: gw.metadata, spec: gw.spec, status: gw.status })
        .apply((g) => gatewayAddress(g as GatewayLike, platform.ingress.serviceType));
    }

    this.registerOutputs({
      peer: this.peer,
      className: this.className,
      namespace: this.namespace,
      address: this.address,
    });
  }
}
