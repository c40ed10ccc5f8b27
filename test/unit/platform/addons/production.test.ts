import { strict as assert } from "assert";
import { certManagerValues } from "../../../../lib/addons/cert-manager";
import { nginxIncValues } from "../../../../lib/addons/ingress";
import { istiodValues } from "../../../../lib/addons/istio";
import { cluster, platform } from "./fixtures";

type Dict = Record<string, Record<string, unknown>>;
const prod = () =>
  platform({
    environment: "prod",
    clusters: [cluster({ apiServerCidr: "172.30.0.0/28" })],
    certificates: { issuer: "letsencrypt-prod", acmeEmail: "ops@example.com" },
  });
const limited = (r: unknown) => {
  const x = r as { requests?: Record<string, string>; limits?: Record<string, string> };
  return !!(x.requests?.cpu && x.requests.memory && x.limits?.cpu && x.limits.memory);
};

describe("add-on values in prod (policy pack: HA, resources)", () => {
  it("runs two of each cert-manager Deployment with a PodDisruptionBudget and resources in prod only", () => {
    const v = certManagerValues(prod()) as Dict & { replicaCount: number; resources: unknown };
    assert.equal(v.replicaCount, 2);
    assert.deepEqual(v.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
    assert.ok(limited(v.resources));
    for (const part of ["webhook", "cainjector"]) {
      assert.equal(v[part].replicaCount, 2, part);
      assert.deepEqual(v[part].podDisruptionBudget, { enabled: true, maxUnavailable: 1 }, part);
      assert.ok(limited(v[part].resources), part);
    }
    // Outside prod: the CRDs, and the hook-only startup check off (every stack).
    assert.deepEqual(Object.keys(certManagerValues(platform())), ["crds", "startupapicheck"]);
    assert.deepEqual(v.startupapicheck, { enabled: false });
  });

  it("runs at least two istiod in prod (replicas and the HPA's floor), with limits", () => {
    const p = prod();
    const v = istiodValues(p.clusters[0], p);
    assert.equal(v.replicaCount, 2);
    assert.equal(v.autoscaleMin, 2);
    assert.ok(limited(v.resources));
    const dev = platform();
    assert.equal(istiodValues(dev.clusters[0], dev).autoscaleMin, undefined);
  });

  it("runs two F5 NGINX controllers with a PodDisruptionBudget in prod, read-only root filesystem everywhere", () => {
    const c = nginxIncValues(prod()).controller as Record<string, unknown>;
    assert.equal(c.replicaCount, 2);
    assert.deepEqual(c.podDisruptionBudget, { enabled: true, maxUnavailable: 1 });
    assert.ok(limited(c.resources) && limited(c.initContainerResources));
    const dev = nginxIncValues(platform()).controller as Record<string, unknown>;
    assert.equal(dev.readOnlyRootFilesystem, true);
    assert.equal(dev.replicaCount, undefined);
  });
});
