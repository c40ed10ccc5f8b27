/**
 * The Kubernetes objects of one app service: ServiceAccount, Deployment (or a
 * StatefulSet behind a headless Service for a stateful member), ClusterIP Service,
 * and, where the stack asks, a PodDisruptionBudget and a HorizontalPodAutoscaler.
 * Pure: config in, plain objects out.
 */
import { ServiceSpec } from "./app-spec";
import { K8sObject } from "./k8s-object";
import { NAME_LABEL, PART_OF_LABEL } from "./intent/labels";

export interface WorkloadOptions {
  namespace: string;
  partOf: string;
  replicas: number;
  autoscaling?: { minReplicas: number; maxReplicas: number; targetCPUUtilization: number };
  podDisruptionBudget: boolean;
}

const DEFAULT_RESOURCES = { cpu: "100m", memory: "128Mi", cpuLimit: "500m", memoryLimit: "256Mi" };
/** A fixed non-root UID, so `runAsNonRoot` holds even for images whose USER is a name. */
const APP_UID = 10001;

function imageTag(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1, at + 20);
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/") ? image.slice(colon + 1) : "unversioned";
}

export function podLabels(s: ServiceSpec, partOf: string): Record<string, string> {
  // `app` and `version` are the labels Istio telemetry and Kiali group by.
  return {
    [NAME_LABEL]: s.name,
    [PART_OF_LABEL]: partOf,
    app: s.name,
    version: imageTag(s.image),
  };
}

/** The ports of a service's pods and Service, named as Istio reads them (`http`, `tcp-*`). */
export function portsOf(s: ServiceSpec): Array<{ name: string; servicePort: number; containerPort: number }> {
  // Istio picks the protocol from the port name prefix (or appProtocol): http-*, tcp-*.
  const main = s.probe.type === "http" ? "http" : "tcp-client";
  return [
    { name: main, servicePort: s.port, containerPort: s.targetPort ?? s.port },
    ...(s.extraPorts ?? []).map((p) => ({
      name: `tcp-${p.name}`,
      servicePort: p.port,
      containerPort: p.port,
    })),
  ];
}

function podSpec(s: ServiceSpec): Record<string, unknown> {
  const ports = portsOf(s);
  const res = s.resources ?? DEFAULT_RESOURCES;
  const probe =
    s.probe.type === "http"
      ? { httpGet: { path: s.probe.path, port: ports[0].name } }
      : { tcpSocket: { port: ports[0].name } };
  return {
    serviceAccountName: s.name,
    // The app does not call the Kubernetes API; Istio's sidecar mounts its own token.
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: APP_UID,
      runAsGroup: APP_UID,
      fsGroup: APP_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: s.name,
        image: s.image,
        ports: ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: "TCP" })),
        resources: {
          requests: { cpu: res.cpu, memory: res.memory },
          limits: { cpu: res.cpuLimit, memory: res.memoryLimit },
        },
        readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
        livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
        securityContext: {
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        },
        // A read-only root needs somewhere to write temporary files.
        volumeMounts: [
          { name: "tmp", mountPath: "/tmp" },
          ...(s.stateful ? [{ name: "data", mountPath: "/var/lib/data" }] : []),
        ],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
  };
}

function meta(name: string, namespace: string, labels: Record<string, string>) {
  return { name, namespace, labels };
}

/**
 * The ClusterIP Service clients dial (`<name>.<namespace>.svc.cluster.local`), selecting
 * the service's pods by name. Under one mesh (istio.oneMesh) a caller's cluster gets the
 * same Service for a service that runs elsewhere (lib/cluster-plan.ts), so Istio merges
 * the endpoints of every cluster under that host name.
 */
export function clusterIpService(
  s: ServiceSpec,
  o: Pick<WorkloadOptions, "namespace" | "partOf">,
): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(s.name, o.namespace, podLabels(s, o.partOf)),
    spec: {
      type: "ClusterIP",
      selector: { [NAME_LABEL]: s.name },
      ports: portsOf(s).map((p) => ({
        name: p.name,
        port: p.servicePort,
        targetPort: p.name,
        protocol: "TCP",
      })),
    },
  };
}

export function microserviceObjects(s: ServiceSpec, o: WorkloadOptions): K8sObject[] {
  const labels = podLabels(s, o.partOf);
  const selector = { matchLabels: { [NAME_LABEL]: s.name } };
  const ports = portsOf(s);
  const out: K8sObject[] = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta(s.name, o.namespace, labels),
      automountServiceAccountToken: false,
    },
    clusterIpService(s, o),
  ];
  const template = { metadata: { labels }, spec: podSpec(s) };
  if (s.stateful) {
    const headless = `${s.name}-headless`;
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(headless, o.namespace, labels),
      spec: {
        // No virtual IP: DNS returns every pod, and SRV records
        // (_tcp-client._tcp.<name>-headless.<ns>.svc.cluster.local) name each peer.
        clusterIP: "None",
        // Peers must find each other before they are ready, or a quorum never forms.
        publishNotReadyAddresses: true,
        selector: { [NAME_LABEL]: s.name },
        ports: ports.map((p) => ({
          name: p.name,
          port: p.containerPort,
          targetPort: p.name,
          protocol: "TCP",
        })),
      },
    });
    out.push({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta(s.name, o.namespace, labels),
      spec: {
        serviceName: headless,
        replicas: s.stateful.replicas,
        podManagementPolicy: "Parallel",
        selector,
        template,
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: s.stateful.storage } },
            },
          },
        ],
      },
    });
  } else {
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(s.name, o.namespace, labels),
      spec: {
        // With an HPA the autoscaler owns the replica count; setting it here too would
        // reset the scale on every `pulumi up`.
        ...(o.autoscaling ? {} : { replicas: o.replicas }),
        selector,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template,
      },
    });
    if (o.autoscaling) {
      out.push({
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: meta(s.name, o.namespace, labels),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: s.name },
          minReplicas: o.autoscaling.minReplicas,
          maxReplicas: o.autoscaling.maxReplicas,
          metrics: [
            {
              type: "Resource",
              resource: {
                name: "cpu",
                target: { type: "Utilization", averageUtilization: o.autoscaling.targetCPUUtilization },
              },
            },
          ],
        },
      });
    }
  }
  const replicas = s.stateful ? s.stateful.replicas : (o.autoscaling?.minReplicas ?? o.replicas);
  if (o.podDisruptionBudget && replicas > 1) {
    out.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(s.name, o.namespace, labels),
      // One pod at a time may go: a drain makes progress and the service keeps serving.
      spec: { maxUnavailable: 1, selector },
    });
  }
  return out;
}
