import { pssRule, present } from "../lib/pss";

/** A hostPath volume mounts the node's filesystem into the pod: the kubelet's credentials, the runtime socket. */
export const noHostPathVolumes = pssRule(
  {
    name: "kubernetes-pod-no-host-path-volumes",
    control: "hostPathVolumes",
    description: "Pods must not mount hostPath volumes (the node's filesystem).",
    severity: "critical",
    remediation:
      "Replace the hostPath volume with an emptyDir, a ConfigMap/Secret/projected volume or a PersistentVolumeClaim",
  },
  ({ pod, report }) => {
    for (const [i, v] of (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).entries()) {
      if (present(v.hostPath)) report(`volume "${String(v.name ?? `#${i}`)}" is a hostPath volume`);
    }
  },
);
