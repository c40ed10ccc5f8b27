import { pssRule, present } from "../lib/pss";

/** Volume sources a restricted pod may use: none reaches the node or a storage backend directly. */
export const ALLOWED_VOLUME_SOURCES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const;

export const volumeTypes = pssRule(
  {
    name: "kubernetes-pod-volume-types",
    control: "restrictedVolumes",
    description: `Pod volumes may only be of the types ${ALLOWED_VOLUME_SOURCES.join(", ")}; hostPath, nfs, iscsi, gitRepo and the other in-tree sources are refused (as is a volume with no source: write emptyDir: {} explicitly).`,
    severity: "high",
    remediation:
      "Use a PersistentVolumeClaim (or CSI) for storage and configMap/secret/projected/emptyDir for the rest, instead of the inline volume source",
  },
  ({ pod, report }) => {
    for (const [i, v] of (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).entries()) {
      if (ALLOWED_VOLUME_SOURCES.some((k) => present(v[k]))) continue;
      const source = Object.keys(v).find((k) => k !== "name" && present(v[k]));
      report(
        `volume "${String(v.name ?? `#${i}`)}" ${source ? `is of type ${source}` : "names no volume source"}, not one of the allowed types`,
      );
    }
  },
);
