#!/usr/bin/env node
// license-release: the release engineers' CLI. Runs the TypeScript sources with tsx, resolving the
// SDK workspace (@license-server/sdk) to its sources through the repository's tsconfig paths.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)) });
await import("../src/main.ts");
