/** The mock harness lives with the scripts (scripts/bench.ts runs it too); tests import it from here. */
export * from "../../scripts/lib/under-mocks";
