/**
 * Render mode and Secrets. The provider writes every object to a file in plaintext, so a
 * Secret's values must never reach it. Rather than refusing the whole render, each
 * Secret with data is written with every value replaced by RENDER_PLACEHOLDER (same keys,
 * same metadata), and is listed as "not rendered: holds a secret" so whoever applies the
 * directory knows to supply it out of band (sealed-secrets, external-secrets, SOPS).
 * The placeholder is the same on every render, so renders stay byte-identical.
 */

/** What stands in a rendered Secret for every value; `npm run render` lists the files holding it. */
export const RENDER_PLACEHOLDER = "NOT-RENDERED-holds-a-secret-supply-it-out-of-band";
const PLACEHOLDER_B64 = Buffer.from(RENDER_PLACEHOLDER, "utf8").toString("base64");

/** Whether a rendered file's text holds a placeholder (in `stringData` or base64 in `data`). */
export function holdsPlaceholder(text: string): boolean {
  return text.includes(RENDER_PLACEHOLDER) || text.includes(PLACEHOLDER_B64);
}

/** How the Node.js SDK marks a secret value in the properties a transform receives (rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The value inside a Pulumi secret marker (a whole `data` map can be one). */
function unwrap(v: unknown): unknown {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
    ? unwrap((v as Record<string, unknown>).value)
    : v;
}

function hasEntries(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.keys(v).length > 0;
}

/** Present but not a map: a value still unknown during a preview, which may hold anything. */
function isOpaque(v: unknown): boolean {
  return v !== undefined && v !== null && typeof v !== "object";
}

/**
 * A Secret's props with every `data` / `stringData` value replaced by the placeholder,
 * and the keys replaced; undefined when it holds no value (a token Secret Kubernetes fills).
 */
export function redactSecret(
  props: Record<string, unknown>,
): { props: Record<string, unknown>; keys: string[] } | undefined {
  const data = unwrap(props.data);
  const stringData = unwrap(props.stringData);
  if (!hasEntries(data) && !hasEntries(stringData) && !isOpaque(data) && !isOpaque(stringData)) {
    return undefined;
  }
  const keys: string[] = [];
  const replace = (values: unknown, placeholder: string) => {
    if (isOpaque(values)) {
      keys.push("(not yet known)");
      return {};
    }
    if (!hasEntries(values)) return values;
    return Object.fromEntries(
      Object.keys(values).map((k) => {
        keys.push(k);
        return [k, placeholder];
      }),
    );
  };
  return {
    props: {
      ...props,
      ...(props.data !== undefined ? { data: replace(data, PLACEHOLDER_B64) } : {}),
      ...(props.stringData !== undefined ? { stringData: replace(stringData, RENDER_PLACEHOLDER) } : {}),
    },
    keys: [...new Set(keys)].sort(),
  };
}
