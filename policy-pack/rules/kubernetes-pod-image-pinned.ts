import { containersOf, podTemplateOf, WORKLOAD_KINDS } from "../lib/pods";
import { resourceRule } from "../lib/rule";

/** Splits `registry:5000/repo/name:tag@sha256:...` into its tag and digest. */
export function parseImage(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const ref = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.indexOf(":", lastSlash + 1);
  return { tag: colon >= 0 ? ref.slice(colon + 1) : undefined, digest };
}

export const imagePinned = resourceRule(
  {
    name: "kubernetes-pod-image-pinned",
    description:
      "Container images must name an explicit version: no `:latest` and no missing tag (both float to whatever was pushed last).",
    severity: "high",
    remediation:
      "Pin the image to a release tag, preferably with its digest (image: repo/name:1.2.3@sha256:...)",
    enforcementLevel: "mandatory",
    kinds: WORKLOAD_KINDS,
  },
  ({ manifest, unknownPaths, report }) => {
    const t = podTemplateOf(manifest);
    for (const c of t ? containersOf(t.spec) : []) {
      const image = c.container.image;
      if (!image) {
        // During preview an image computed from another resource's output is unknown: not a finding.
        if (!unknownPaths.some((p) => p.endsWith(".image"))) report(`${c.label} names no image`);
        continue;
      }
      const { tag, digest } = parseImage(image);
      if (digest) continue;
      if (tag === undefined) report(`${c.label} image "${image}" has no tag (means :latest)`);
      else if (tag === "latest") report(`${c.label} image "${image}" uses the floating tag :latest`);
    }
  },
);
