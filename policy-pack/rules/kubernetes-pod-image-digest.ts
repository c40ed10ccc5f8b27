import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";
import { parseImage } from "./kubernetes-pod-image-pinned";

/** The advisory half of image pinning: tags can be re-pushed, digests cannot. */
export const imageDigest = resourceRule(
  {
    name: "kubernetes-pod-image-digest",
    description:
      "Container images should be pinned by digest (@sha256:...): a tag can be moved to different content, a digest cannot.",
    severity: "low",
    remediation:
      "Append the image digest (repo/name:1.2.3@sha256:...), e.g. from `crane digest` or the registry UI",
    enforcementLevel: "advisory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      const image = c.container.image;
      if (image && !parseImage(image).digest) report(`${c.label} image "${image}" is not pinned by digest`);
    }
  },
);
