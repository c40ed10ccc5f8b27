/**
 * The pack's entry point for the Pulumi policy runtime (package.json "main"). The
 * runtime registers ts-node with type checking on, which re-checks the pack (and the
 * type definitions it imports) on every preview and up: ~12 s and ~90 MB of the
 * analyzer's node process on this machine. The pack is type-checked by `npm run build`
 * and `npm test`, so here its TypeScript is only transpiled: this replaces the
 * runtime's `.ts` loader with a transpile-only one, then loads index.ts.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS loader shim */
"use strict";
const path = require("path");

delete require.extensions[".ts"];
require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "tsconfig.json"),
});
module.exports = require("./index.ts");
