import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { modelsDirectory, registerLocalModel } from "../local-models/catalog.ts";
import { parseQuantType, quantizeGguf, QuantizeError, type QuantizeResult, type QuantType } from "./llama-quantize.ts";

// Quantizes a local model (a workspace's registered model, a models-folder file by name, or a .gguf path) and makes
// the result a local model: written into the models folder it is served as a folder model; written elsewhere (an
// allowed folder) it is registered as a LocalModel row. A failure leaves no file and registers nothing.

export interface QuantizeModelInput {
  /** a local model's name or a .gguf path */
  source: string;
  type: string;
  /** output path; default <models folder>/<source name>-<type>.gguf */
  out?: string;
  threads?: number;
  memoryBudgetBytes?: number;
}

export interface QuantizeModelResult extends QuantizeResult {
  name: string;
  source: string;
  registered: "folder" | "registered";
}

async function resolveSource(workspaceId: string | null, source: string): Promise<{ name: string; path: string }> {
  if (source.toLowerCase().endsWith(".gguf") || source.includes(path.sep)) {
    const resolved = path.resolve(source);
    return { name: path.basename(resolved).replace(/\.gguf$/i, ""), path: resolved };
  }
  const folderFile = path.join(modelsDirectory(), `${source}.gguf`);
  if (existsSync(folderFile)) return { name: source, path: folderFile };
  if (workspaceId) {
    const row = await db.localModel.findFirst({ where: { workspaceId, name: source } });
    if (row) return { name: row.name, path: row.path };
  }
  throw new QuantizeError("source", `No local model named "${source}" (and not a .gguf path)`);
}

function toAppError(error: unknown): unknown {
  return error instanceof QuantizeError ? new AppError("bad_request", error.field, error.message) : error;
}

export async function quantizeLocalModel(workspaceId: string | null, input: QuantizeModelInput): Promise<QuantizeModelResult> {
  try {
    const type: QuantType = parseQuantType(input.type);
    const source = await resolveSource(workspaceId, input.source);
    const name = `${source.name}-${type}`;
    const output = path.resolve(input.out ?? path.join(modelsDirectory(), `${name}.gguf`));
    const result = await quantizeGguf({
      input: source.path,
      output,
      type,
      ...(input.threads ? { threads: input.threads } : {}),
      ...(input.memoryBudgetBytes ? { memoryBudgetBytes: input.memoryBudgetBytes } : {}),
    });
    const inFolder = path.dirname(output) === modelsDirectory();
    if (inFolder) return { ...result, name: path.basename(output, ".gguf"), source: source.name, registered: "folder" };
    if (!workspaceId) return { ...result, name: path.basename(output, ".gguf"), source: source.name, registered: "folder" };
    try {
      const view = await registerLocalModel(workspaceId, { path: output, name: path.basename(output, ".gguf") });
      return { ...result, name: view.name, source: source.name, registered: "registered" };
    } catch (error) {
      // Registration refused: remove the file so nothing half-done remains, then report the refusal.
      await rm(output, { force: true });
      throw error;
    }
  } catch (error) {
    throw toAppError(error);
  }
}
