#!/usr/bin/env node
// The `assay` command. The CLI is TypeScript; tsx runs it without a build step (Node 20 has no type stripping).
import { register } from "tsx/esm/api";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
register();
const { main } = await import(pathToFileURL(path.join(root, "cli", "main.ts")).href);
const code = await main(process.argv.slice(2));
if (typeof code === "number") process.exitCode = code;
