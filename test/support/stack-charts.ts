/**
 * The charts a stack installs, with the values the program passes, read off the whole
 * program (index.ts) run under mocks with every chart taken from a mirror: exactly what
 * `pulumi up` would hand the provider's Helm, without the engine.
 */
import * as path from "path";
import { CHART_KEYS, ChartKey } from "../../lib/charts";
import { K8sObject } from "../../lib/k8s-object";
import { readRawPlatformConfig, stackFile } from "../../lib/stack-file";
import type { StackOutputs } from "../../components/stack";
import { PLACEHOLDER_SECRETS } from "../../scripts/lib/workspace";
import { helmTemplate } from "./charts";
import { rewriteChartObject } from "../../lib/chart-rewrites";
import { hookObjectsFor } from "../../lib/chart-hooks";
import { typeTokenFor } from "../../policy-pack/lib/resource-manifest";
import { Registered, manifestsOf, runUnderMocks } from "./program";

export interface InstalledChart {
  key: ChartKey;
  /** The chart's directory in the mirror. */
  dir: string;
  /** Helm release name (the Chart's `name`, else its Pulumi name, as the provider does). */
  release: string;
  namespace: string;
  values: Record<string, unknown>;
}

export interface StackCharts {
  charts: InstalledChart[];
  /** The objects the program itself emits (not chart-rendered). */
  manifests: K8sObject[];
  resources: Registered[];
}

/** Runs the stack's program under mocks with `charts.mirror` set and cert-manager installed as a chart. */
export async function stackCharts(
  stack: string,
  mirror: string,
  patch?: (platform: Record<string, unknown>) => void,
): Promise<StackCharts> {
  const raw = structuredClone(readRawPlatformConfig(stackFile(stack))) as Record<string, unknown> & {
    certificates: Record<string, unknown>;
  };
  raw.charts = { mirror };
  raw.certificates.installer = "chart";
  patch?.(raw);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../index") as () => StackOutputs;
  // The stack's config secrets as a workspace sets them (prod requires some).
  const { resources } = await runUnderMocks(stack, raw, program, { secrets: { ...PLACEHOLDER_SECRETS } });
  const charts = resources
    .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")
    .map((r) => {
      const dir = String(r.inputs.chart);
      const key = path.basename(dir) as ChartKey;
      if (!CHART_KEYS.includes(key)) throw new Error(`chart ${dir} is not from the mirror ${mirror}`);
      return {
        key,
        dir,
        release: typeof r.inputs.name === "string" ? r.inputs.name : r.name,
        namespace: String(r.inputs.namespace),
        values: revealSecrets(r.inputs.values ?? {}) as Record<string, unknown>,
      };
    });
  return { charts, manifests: manifestsOf(resources), resources };
}

export interface RenderedChart extends InstalledChart {
  objects: K8sObject[];
}

/** Pulumi's wire form of a secret value: `{ [SPECIAL_SIG]: SECRET_SIG, value }`. */
const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * The values as Helm would get them: a chart's values become one secret when any part
 * of them is (the Submariner join's broker token), and the engine hands the provider
 * the plain values inside.
 */
export function revealSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revealSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SPECIAL_SIG] === SECRET_SIG) return revealSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revealSecrets(x)]));
  }
  return v;
}

/** Unknown values (a secret read from the cluster during a preview) as a visible placeholder. */
function withPlaceholders(v: unknown, at: string): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((x, i) => withPlaceholders(x, `${at}[${i}]`));
  if ("__pulumiUnknown" in v) return `placeholder-${at}`;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, withPlaceholders(x, at ? `${at}.${k}` : k)]),
  );
}

interface RenderedStack {
  charts: RenderedChart[];
  manifests: K8sObject[];
  resources: Registered[];
}

const rendered = new Map<string, Promise<RenderedStack>>();

/**
 * Every chart a stack installs, rendered by `helm template` from `mirror` with the values
 * and release names the program uses; once per stack and mirror per test process.
 */
export function renderStackCharts(stack: string, mirror: string): Promise<RenderedStack> {
  const id = `${stack}@${mirror}`;
  if (!rendered.has(id)) {
    rendered.set(
      id,
      stackCharts(stack, mirror).then(({ charts, manifests, resources }) => ({
        manifests,
        resources,
        charts: charts.map((c) => {
          const values = withPlaceholders(c.values, "") as Record<string, unknown>;
          // As the program sends them: its rewrites of single chart objects (lib/chart-rewrites.ts),
          // and beside them the Helm hooks it creates itself (lib/chart-hooks.ts).
          // `helm template` runs without the chart's hooks, as the provider does.
          const sent = helmTemplate(c.dir, { ...c, values }).map(
            (o) =>
              (rewriteChartObject(c.key, typeTokenFor(o.apiVersion, o.kind), o) as K8sObject | undefined) ??
              o,
          );
          const hooks = sent.flatMap((o) => hookObjectsFor(c.key, typeTokenFor(o.apiVersion, o.kind), o));
          const objects = [...sent, ...hooks];
          return { ...c, values, objects };
        }),
      })),
    );
  }
  return rendered.get(id)!;
}
