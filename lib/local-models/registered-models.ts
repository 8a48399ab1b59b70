import type { PrismaClient } from "../generated/prisma/client.ts";
import { isInAllowedFolders } from "./model-paths.ts";

// The model server's view of the GGUF files users registered on the Models page (LocalModel rows). The server reads
// them when it lists models (GET /v1/models, GET /metrics, and a request naming a model it has not listed in the last
// second), so a registration is served at once and a removal stops being served without a restart. When the database
// cannot be reached the last list read stays in use, so the folder's models and earlier registrations keep working.
// Each row keeps its workspace: the server serves a registration only to requests carrying that workspace's key.
// A row whose file is outside the folders models may be registered from (registered before that rule, or a folder
// since removed from ASSAY_MODEL_PATHS) is not served.

export interface RegisteredModel {
  name: string;
  path: string;
  workspaceId: string;
}

export function registeredModelSource(
  database: Pick<PrismaClient, "localModel">,
  options: { allowedFolders: readonly string[]; log?: (line: string) => void },
): () => Promise<RegisteredModel[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let lastKnown: RegisteredModel[] = [];
  let failing = false;
  return async () => {
    try {
      const rows = await database.localModel.findMany({
        select: { name: true, path: true, workspaceId: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      // Oldest first: when two files claim one name (the Models page refuses that), the first registration wins.
      const allowed = await Promise.all(rows.map((row) => isInAllowedFolders(row.path, options.allowedFolders)));
      lastKnown = rows.filter((_, index) => allowed[index]).map((row) => ({ name: row.name, path: row.path, workspaceId: row.workspaceId }));
      if (failing) log("[serve-model] The database answers again; registered models are current.");
      failing = false;
    } catch (error) {
      if (!failing) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`[serve-model] Cannot read registered models (${reason}); serving the last list known.`);
      }
      failing = true;
    }
    return lastKnown;
  };
}
