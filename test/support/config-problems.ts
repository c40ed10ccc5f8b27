import { ConfigError, parsePlatformConfig } from "../../lib/config";

/** What the config check refuses in `raw`, one line a problem (empty when it is accepted). */
export function configProblems(raw: unknown): string[] {
  try {
    parsePlatformConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
