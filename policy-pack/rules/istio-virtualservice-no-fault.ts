import { isRecord } from "../lib/k8s";
import { resourceRule } from "../lib/rule";

export const virtualServiceNoFault = resourceRule(
  {
    name: "istio-virtualservice-no-fault",
    description:
      "Istio VirtualServices must not inject faults (http[].fault delay or abort): fault injection is for resilience tests in dev, and in prod it delays or fails real users' requests.",
    severity: "high",
    remediation:
      "Remove http[].fault (app.traffic.<service>.fault in the stack config) and run resilience tests in a dev stack",
    enforcementLevel: "mandatory",
    kinds: ["VirtualService"],
    groups: ["networking.istio.io"],
  },
  ({ manifest, report }) => {
    const http = Array.isArray(manifest.spec?.http) ? manifest.spec.http : [];
    http.forEach((route, i) => {
      if (!isRecord(route) || !isRecord(route.fault)) return;
      const kinds = ["delay", "abort"].filter((k) => isRecord((route.fault as Record<string, unknown>)[k]));
      const name = typeof route.name === "string" ? ` (route "${route.name}")` : "";
      report(`http[${i}]${name} injects a fault: ${kinds.length > 0 ? kinds.join(" and ") : "fault"}`);
    });
  },
);
