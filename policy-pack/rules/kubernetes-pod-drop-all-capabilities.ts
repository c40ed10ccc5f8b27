import { pssRule, present } from "../lib/pss";

export const dropAllCapabilities = pssRule(
  {
    name: "kubernetes-pod-drop-all-capabilities",
    control: "capabilities_restricted",
    description:
      'Containers (init and ephemeral too) must drop all Linux capabilities (capabilities.drop includes "ALL", upper case) and may add back only NET_BIND_SERVICE. Windows pods are exempt.',
    severity: "high",
    remediation: 'Set securityContext.capabilities.drop: ["ALL"] and add back at most NET_BIND_SERVICE',
  },
  ({ pod, report }) => {
    if (pod.windows) return;
    for (const c of pod.containers) {
      const caps = c.container.securityContext?.capabilities;
      const drop = present(caps) && Array.isArray(caps.drop) ? caps.drop : [];
      const add = present(caps) && Array.isArray(caps.add) ? caps.add : [];
      // The standard compares exactly: "all" is not "ALL".
      if (!drop.includes("ALL")) report(`${c.label} does not drop ALL capabilities`);
      const extra = add.filter((a) => a !== "NET_BIND_SERVICE");
      if (extra.length > 0)
        report(`${c.label} adds capabilities ${extra.join(", ")} (only NET_BIND_SERVICE may be added)`);
    }
  },
);
