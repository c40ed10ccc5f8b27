/**
 * The program's entry point for the Pulumi runtime (Pulumi.yaml `main`). The runtime
 * registers ts-node with type checking on, which re-checks the program (and the large
 * type definitions it imports) on every preview and up: ~20 s and ~200 MB of the
 * language host's node process on this machine. The program is type-checked by
 * `npm run build` and `npm test`, so here it is only transpiled: this replaces the
 * runtime's `.ts` loader with a transpile-only one, then loads index.ts.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS loader shim */
"use strict";
const path = require("path");

delete require.extensions[".ts"];
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "tsconfig.json") });
module.exports = require("./index.ts");
