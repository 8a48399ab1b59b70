import path from "node:path";
import { parseArgs } from "node:util";
import type { PrismaClient } from "../../lib/db.ts";
import type { StudentSource } from "../../lib/distill/serve-student.ts";
import type { RegisteredModel } from "../../lib/local-models/registered-models.ts";

// `assay serve-model [--models-dir ./models] [--port 8088] [--host 127.0.0.1] [--threads N] [--context-size N]
//  [--parallel N]`: serves the .gguf files of a folder over the OpenAI API until SIGINT/SIGTERM.

const USAGE = `Usage: assay serve-model [options]

  --models-dir <dir>     folder of .gguf files (default: ASSAY_MODELS_DIR or ./models)
  --port <n>             port (default: ASSAY_MODEL_PORT or 8088; 0 picks a free one)
  --host <address>       address to listen on (default 127.0.0.1)
  --threads <n>          CPU threads per model (default 1)
  --context-size <n>     tokens per sequence (default: the model's, at most 4096)
  --parallel <n>         requests a model runs at once (default 4)
  --max-queue <n>        requests waiting per model before 429 (default 32)

With DATABASE_URL set (as \`assay start\` does), the GGUF files registered on the Models page are served too, each
only to requests with its workspace's key (the built-in Local models connection sends it), and so are the
workspace's distilled students, as student:<name> (and cascade:<name> for those with a teacher and a threshold).
The folder's students/<name>.student.json files are served as student:<name> to every caller.
`;

function integer(name: string, value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) {
    throw new Error(`--${name} must be an integer of at least ${minimum} (got "${value}")`);
  }
  return parsed;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "models-dir": { type: "string" },
        port: { type: "string", short: "p" },
        host: { type: "string" },
        threads: { type: "string" },
        "context-size": { type: "string" },
        parallel: { type: "string" },
        "max-queue": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`assay serve-model: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let port: number | undefined;
  let threads: number | undefined;
  let contextSize: number | undefined;
  let parallel: number | undefined;
  let maxQueue: number | undefined;
  try {
    port = integer("port", values.port, 0);
    if (port !== undefined && port > 65535) throw new Error(`--port must be at most 65535 (got "${values.port}")`);
    threads = integer("threads", values.threads, 1);
    contextSize = integer("context-size", values["context-size"], 16);
    parallel = integer("parallel", values.parallel, 1);
    maxQueue = integer("max-queue", values["max-queue"], 0);
  } catch (error) {
    process.stderr.write(`assay serve-model: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  const { env } = await import("../../lib/env.ts");
  const { startModelServer } = await import("../../lib/local-models/server.ts");
  const modelsDir = path.resolve(values["models-dir"] ?? env.ASSAY_MODELS_DIR);
  let extraModels: (() => Promise<RegisteredModel[]>) | undefined;
  let database: PrismaClient | undefined;
  let students: StudentSource | undefined;
  if (env.DATABASE_URL) {
    const { createDb } = await import("../../lib/db.ts");
    const { registeredModelSource } = await import("../../lib/local-models/registered-models.ts");
    const { allowedModelFolders } = await import("../../lib/local-models/model-paths.ts");
    database = createDb(env.DATABASE_URL);
    extraModels = registeredModelSource(database, { allowedFolders: allowedModelFolders(modelsDir) });
  }
  // The models folder's students/<name>.student.json are served with or without a database; the Student table's
  // students (and their cascades) with one.
  const { studentSource } = await import("../../lib/distill/serve-student.ts");
  students = studentSource(database ?? null, { modelsDir });
  const server = await startModelServer({
    modelsDir,
    port: port ?? env.ASSAY_MODEL_PORT,
    ...(values.host ? { host: values.host } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(contextSize !== undefined ? { contextSize } : {}),
    ...(parallel !== undefined ? { parallelSequences: parallel } : {}),
    ...(maxQueue !== undefined ? { maxQueue } : {}),
    ...(extraModels ? { extraModels } : {}),
    ...(students ? { students } : {}),
    workspaceOfKey: async (apiKey) => {
      const { loadMasterKey } = await import("../../lib/connections/crypto.ts");
      const { workspaceOfModelKey } = await import("../../lib/local-models/workspace-key.ts");
      return workspaceOfModelKey(apiKey, await loadMasterKey());
    },
  });
  process.stdout.write(
    `[serve-model] Serving the models in ${modelsDir}${database ? " and those registered in Assay" : ""} on ${server.url}/v1\n`,
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`[serve-model] ${signal}: stopping\n`);
      server.close().then(() => database?.$disconnect()).then(resolve, (error: unknown) => {
        process.stderr.write(`[serve-model] ${error instanceof Error ? error.message : String(error)}\n`);
        resolve();
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
