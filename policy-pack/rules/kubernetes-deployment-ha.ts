import type { LabelSelector } from "../lib/resource-manifest";
import { isRecord } from "../lib/resource-manifest";
import { podTemplateOf } from "../lib/pods";
import { matchesAny, stackRule } from "../lib/rule";
import { selects } from "../lib/selectors";
import { effectiveNamespace, type ManifestObject, ofKind } from "../lib/stack";

export interface DeploymentHaConfig {
  minReplicas: number;
  exclude: string[];
}

/** Replicas a PDB value stands for; percentages round up, as the disruption controller does. */
function scaled(v: unknown, replicas: number): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\d+%$/.test(v)) return Math.ceil((Number(v.slice(0, -1)) * replicas) / 100);
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Whether the PDB lets at least one of `replicas` pods be evicted. */
export function allowsDisruption(pdb: ManifestObject, replicas: number): boolean {
  const spec = pdb.manifest.spec ?? {};
  if (spec.maxUnavailable !== undefined) return (scaled(spec.maxUnavailable, replicas) ?? 0) > 0;
  const minAvailable = scaled(spec.minAvailable ?? 1, replicas) ?? replicas;
  return minAvailable < replicas;
}

export const deploymentHa = stackRule<DeploymentHaConfig>(
  {
    name: "kubernetes-deployment-ha",
    description:
      "Deployments run at least minReplicas (2) replicas (or an HPA minReplicas), and a PodDisruptionBudget in their namespace selects their pods and allows at least one disruption, so node drains neither take the service down nor hang.",
    severity: "medium",
    remediation:
      "Set spec.replicas >= 2 and add a PodDisruptionBudget with maxUnavailable: 1 whose selector matches the pod template labels",
    enforcementLevel: "mandatory",
    config: {
      minReplicas: {
        type: "integer",
        minimum: 1,
        default: 2,
        description: "Least replicas a Deployment runs.",
      },
      exclude: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "namespace/name patterns of Deployments this rule skips.",
      },
    },
  },
  ({ view, config, report }) => {
    for (const c of view.clusters) {
      const pdbs = ofKind(c, "PodDisruptionBudget");
      const hpas = ofKind(c, "HorizontalPodAutoscaler");
      for (const d of ofKind(c, "Deployment")) {
        const ns = effectiveNamespace(d);
        const name = d.manifest.metadata.name ?? "";
        if (matchesAny(config.exclude, ns, name)) continue;
        const hpa = hpas.find((h) => {
          const ref = h.manifest.spec?.scaleTargetRef;
          return (
            effectiveNamespace(h) === ns && isRecord(ref) && ref.kind === "Deployment" && ref.name === name
          );
        });
        const specReplicas = d.manifest.spec?.replicas;
        const replicas = hpa
          ? Number(hpa.manifest.spec?.minReplicas ?? 1)
          : typeof specReplicas === "number"
            ? specReplicas
            : 1;
        if (replicas < config.minReplicas) {
          report(
            d,
            `runs ${replicas} replica${replicas === 1 ? "" : "s"}${hpa ? " (HPA minReplicas)" : ""}, fewer than ${config.minReplicas}`,
            `Set ${hpa ? "the HPA's minReplicas" : "spec.replicas"} to at least ${config.minReplicas}`,
          );
        }
        const labels = podTemplateOf(d.manifest)?.labels ?? {};
        const selecting = pdbs.filter(
          (p) =>
            effectiveNamespace(p) === ns &&
            selects(p.manifest.spec?.selector as LabelSelector | undefined, labels),
        );
        if (selecting.length === 0) {
          report(
            d,
            "no PodDisruptionBudget selects its pods",
            "Add a PodDisruptionBudget with maxUnavailable: 1 and a selector matching the pod template labels",
          );
        } else if (!selecting.some((p) => allowsDisruption(p, Math.max(replicas, 1)))) {
          const names = selecting.map((p) => p.manifest.metadata.name).join(", ");
          report(
            d,
            `PodDisruptionBudget ${names} allows no voluntary disruption at ${replicas} replica(s): node drains will hang`,
            "Use maxUnavailable: 1, or a minAvailable below the replica count",
          );
        }
      }
    }
  },
);
