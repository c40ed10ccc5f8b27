import {
  ISTIO_ROOT_NAMESPACE_CONFIG,
  type IstioRootNamespaceConfig,
  isIstiodDeployment,
  istioRootNamespace,
} from "../lib/platform";
import { isRecord } from "../lib/resource-manifest";
import { stackRule } from "../lib/rule";
import { isEmptySelector } from "../lib/selectors";
import { effectiveNamespace } from "../lib/stack";

export type MeshStrictConfig = IstioRootNamespaceConfig;

export const meshStrictMtls = stackRule<MeshStrictConfig>(
  {
    name: "istio-mesh-strict-mtls",
    description:
      "When Istio is installed, a mesh-wide PeerAuthentication (no selector) with mtls.mode STRICT exists in the Istio root namespace (istio-system unless configured), so no workload accepts plaintext by default.",
    severity: "high",
    remediation:
      "Add a PeerAuthentication named default in the Istio root namespace with no selector and mtls.mode: STRICT",
    enforcementLevel: "mandatory",
    config: ISTIO_ROOT_NAMESPACE_CONFIG,
  },
  ({ view, config, report }) => {
    for (const c of view.clusters) {
      if (!c.platform.istio) continue;
      const root = istioRootNamespace(config, c.platform);
      const meshWide = c.manifests.filter((o) => {
        const m = o.manifest;
        if (m.kind !== "PeerAuthentication" || !m.apiVersion.startsWith("security.istio.io/")) return false;
        const sel = m.spec?.selector;
        return (
          effectiveNamespace(o) === root && (sel === undefined || (isRecord(sel) && isEmptySelector(sel)))
        );
      });
      const mode = (o: (typeof meshWide)[number]) => {
        const mtls = o.manifest.spec?.mtls;
        return isRecord(mtls) && typeof mtls.mode === "string" ? mtls.mode : "UNSET";
      };
      if (meshWide.some((o) => mode(o) === "STRICT")) continue;
      const istiod = c.manifests.find((o) => isIstiodDeployment(o.manifest));
      const target = meshWide[0] ?? c.platform.profile ?? istiod;
      report(
        target,
        meshWide.length > 0
          ? `the mesh-wide PeerAuthentication in "${root}" has mtls.mode ${mode(meshWide[0])}, not STRICT`
          : `Istio is installed in cluster "${c.platform.cluster}" but no mesh-wide STRICT PeerAuthentication exists in "${root}"`,
      );
    }
  },
);
