import { pssRule, present } from "../lib/pss";

/** A Windows HostProcess container runs as a process on the node itself, with the node's privileges. */
export const noHostProcess = pssRule(
  {
    name: "kubernetes-pod-no-host-process",
    control: "windowsHostProcess",
    description:
      "Neither the pod nor any container (init and ephemeral too) may set securityContext.windowsOptions.hostProcess: true.",
    severity: "critical",
    remediation:
      "Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and every container",
  },
  ({ pod, report }) => {
    const podSc = pod.spec.securityContext;
    if (present(podSc) && podSc.windowsOptions?.hostProcess === true) {
      report("the pod sets securityContext.windowsOptions.hostProcess: true");
    }
    for (const c of pod.containers) {
      if (c.container.securityContext?.windowsOptions?.hostProcess === true) {
        report(`${c.label} sets securityContext.windowsOptions.hostProcess: true`);
      }
    }
  },
);
