import { isRecord } from "../lib/resource-manifest";
import { resourceRule } from "../lib/rule";

const WEAK = ["PERMISSIVE", "DISABLE"];

export const peerAuthenticationStrict = resourceRule(
  {
    name: "istio-peerauthentication-strict",
    description:
      "Istio PeerAuthentications must not weaken mutual TLS: no mtls.mode PERMISSIVE or DISABLE, including portLevelMtls overrides.",
    severity: "high",
    remediation:
      "Set mtls.mode: STRICT (or UNSET to inherit the mesh-wide STRICT policy) and remove weak portLevelMtls entries",
    enforcementLevel: "mandatory",
    kinds: ["PeerAuthentication"],
    groups: ["security.istio.io"],
  },
  ({ manifest, report }) => {
    const spec = manifest.spec ?? {};
    const mode = isRecord(spec.mtls) ? spec.mtls.mode : undefined;
    if (typeof mode === "string" && WEAK.includes(mode.toUpperCase())) report(`mtls.mode is ${mode}`);
    const ports = isRecord(spec.portLevelMtls) ? spec.portLevelMtls : {};
    for (const [port, v] of Object.entries(ports)) {
      const pm = isRecord(v) ? v.mode : undefined;
      if (typeof pm === "string" && WEAK.includes(pm.toUpperCase()))
        report(`portLevelMtls[${port}].mode is ${pm}`);
    }
  },
);
