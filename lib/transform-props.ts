/**
 * What a resource transform receives from the real engine: properties in which a secret
 * (or a value not yet known) arrives as an Output, not as plain data. The render guard
 * and the Secret redaction judge plain data, so every Output is resolved first: a secret
 * one becomes the SDK's wire form of a secret (`{ [sig]: secretSig, value }`), which both
 * recognise, an unknown one (a preview) `undefined`.
 */
import * as pulumi from "@pulumi/pulumi";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** An Output's state, as the SDK keeps it (not in its public typings). */
type OutputState = { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(): Promise<unknown> };

/** The properties with every Output resolved (secret ones marked), deeply. */
export async function plainProps(v: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(v)) {
    const o = v as unknown as OutputState;
    const [known, secret] = await Promise.all([o.isKnown, o.isSecret]);
    const value = known ? await plainProps(await o.promise()) : undefined;
    return secret ? { [SIG_KEY]: SECRET_SIG, value } : value;
  }
  if (Array.isArray(v)) return Promise.all(v.map(plainProps));
  if (v && typeof v === "object" && !pulumi.Resource.isInstance(v)) {
    const entries = await Promise.all(
      Object.entries(v as Record<string, unknown>).map(async ([k, x]) => [k, await plainProps(x)] as const),
    );
    return Object.fromEntries(entries);
  }
  return v;
}
