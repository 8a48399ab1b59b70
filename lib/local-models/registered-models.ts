import type { PrismaClient } from "../generated/prisma/client.ts";

// The model server's view of the GGUF files users registered on the Models page (LocalModel rows). The server reads
// them when it lists models (GET /v1/models, GET /metrics, and a request naming a model it has not listed in the last
// second), so a registration is served at once and a removal stops being served without a restart. When the database
// cannot be reached the last list read stays in use, so the folder's models and earlier registrations keep working.

export interface RegisteredModel {
  name: string;
  path: string;
}

export function registeredModelSource(
  database: Pick<PrismaClient, "localModel">,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): () => Promise<RegisteredModel[]> {
  let lastKnown: RegisteredModel[] = [];
  let failing = false;
  return async () => {
    try {
      const rows = await database.localModel.findMany({
        select: { name: true, path: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      // Workspaces share one server: the first registration of a name is the one served (the Models page refuses a
      // second file under a taken name).
      const byName = new Map<string, RegisteredModel>();
      for (const row of rows) if (!byName.has(row.name)) byName.set(row.name, { name: row.name, path: row.path });
      lastKnown = [...byName.values()];
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
