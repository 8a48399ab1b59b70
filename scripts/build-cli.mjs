#!/usr/bin/env node
// Bundles the CLI commands that CI runs (bin/cli-bundle.js BUNDLED_COMMANDS) with esbuild into dist/cli: cli/ and
// lib/ compiled to JavaScript once, at npm install, instead of by tsx on every `assay eval`. node_modules stay
// external (the same packages are loaded as before). Plain JavaScript so that it runs before anything is compiled.
//   node scripts/build-cli.mjs [--if-possible] [outdir]
// --if-possible (npm install's postinstall): a failed build is reported and the install goes on; the commands then
// run from the sources through tsx, as they do whenever the bundle is stale.
import { createRequire } from "node:module";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLED_COMMANDS, MANIFEST } from "../bin/cli-bundle.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A bundled file no longer sits where its source did: `import.meta.url` and `import.meta.dirname` are rewritten to
 * name the source file's place (found from the bundle's own URL, so the checkout can move with its dist/).
 * @param {string} outdir
 */
function sourceLocation(outdir) {
  const toRoot = path.relative(outdir, root).split(path.sep).join("/") || ".";
  return {
    name: "assay-source-location",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.(ts|tsx|mts)$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.")) return undefined;
        const relative = path.relative(root, args.path).split(path.sep).join("/");
        const fileUrl = `new URL(${JSON.stringify(`${toRoot}/${relative}`)}, import.meta.url)`;
        const contents = source
          .replaceAll("import.meta.url", `${fileUrl}.href`)
          .replaceAll("import.meta.dirname", `decodeURIComponent(new URL(".", ${fileUrl}).pathname).replace(/\\/$/, "")`)
          .replaceAll("import.meta.filename", `decodeURIComponent(${fileUrl}.pathname)`);
        return { contents, loader: args.path.endsWith(".tsx") ? "tsx" : "ts" };
      });
    },
  };
}

/** esbuild comes with tsx (a dependency); npm may have put it under tsx's own node_modules. */
async function loadEsbuild() {
  try {
    return await import("esbuild");
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    const fromTsx = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"));
    return fromTsx("esbuild");
  }
}

export async function buildCli(outdir = path.join(root, "dist", "cli")) {
  const started = Date.now();
  const { build } = await loadEsbuild();
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(BUNDLED_COMMANDS.map((name) => [name, path.join(root, "cli", "commands", `${name}.ts`)])),
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    chunkNames: "chunk-[hash]",
    metafile: true,
    logLevel: "warning",
    plugins: [sourceLocation(outdir)],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith("node_modules/")).sort();
  // builtAt is taken before esbuild read anything: a source saved during the build counts as changed.
  await writeFile(path.join(outdir, MANIFEST), `${JSON.stringify({ builtAt: started, inputs }, null, 2)}\n`);
  return { outdir, inputs: inputs.length, ms: Date.now() - started };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const ifPossible = args.includes("--if-possible");
  const [outdirArg] = args.filter((arg) => arg !== "--if-possible");
  try {
    const built = await buildCli(outdirArg ? path.resolve(outdirArg) : undefined);
    console.log(`[assay] CLI bundle: ${built.inputs} source files → ${path.relative(process.cwd(), built.outdir) || "."} in ${built.ms} ms`);
  } catch (error) {
    if (!ifPossible) throw error;
    console.warn(`[assay] warning: the CLI bundle was not built (${error?.message ?? error}); \`assay eval\` runs from the sources through tsx, slower to start. Retry with: npm run build:cli`);
  }
}
